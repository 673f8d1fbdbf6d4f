import type { CodeItem, CodeList } from '../../dictionary/dictionary.types.js';
import type { RawCell } from '../reader/reader.types.js';
import { type Parsed, token } from './cell-parsers.js';

interface Index {
  byToken: Map<string, CodeItem>;
  width: number | null;
  /** Answers for texts seen before: a ledger repeats the same few names in every row. */
  memo: Map<string, Parsed<string>>;
}

const indexes = new WeakMap<CodeList, Index>();

/** Names and codes folded (full-width, spaces, case), and the codes' common width when they have one ("01"…"56"). */
function indexOf(list: CodeList): Index {
  let index = indexes.get(list);
  if (!index) {
    const byToken = new Map<string, CodeItem>();
    for (const item of list.items) byToken.set(token(item.name), item);
    for (const item of list.items) byToken.set(token(item.code), item); // a code wins over a name that looks like one
    const widths = new Set(list.items.map((i) => i.code.length));
    const width = widths.size === 1 && list.items.every((i) => /^\d+$/.test(i.code)) ? [...widths][0] : null;
    index = { byToken, width, memo: new Map() };
    indexes.set(list, index);
  }
  return index;
}

/**
 * A code from what the cell says: the code ("1", "01", or 1 as a number), the name (汉族), or — when exactly one item
 * fits — a longer or shorter way to say the name (汉 → 汉族, 肢体残疾 → 肢体, 群众（非党员） → 群众).
 */
export function resolveCode(list: CodeList, cell: RawCell): Parsed<string> {
  const index = indexOf(list);
  const raw = typeof cell.value === 'number' ? String(cell.value) : cell.text;
  let answer = index.memo.get(raw);
  if (!answer) {
    answer = lookup(list, index, raw);
    if (index.memo.size < 10_000) index.memo.set(raw, answer);
  }
  return answer;
}

function lookup(list: CodeList, { byToken, width }: Index, raw: string): Parsed<string> {
  const t = token(raw);
  const exact = byToken.get(t) ?? (width && /^\d+$/.test(t) ? byToken.get(t.padStart(width, '0')) : undefined);
  if (exact) return { ok: true, value: exact.code };
  const near = list.items.filter((i) => {
    const name = token(i.name);
    return (t.length >= 1 && name.startsWith(t)) || (t.startsWith(name) && (name.length >= 2 || t.length <= 2));
  });
  if (near.length === 1) return { ok: true, value: near[0].code };
  const sample = list.items.slice(0, 8).map((i) => i.name).join('、');
  return {
    ok: false,
    code: 'INVALID_CODE',
    message: `"${raw}" 不是${list.name}（${list.standard}）中的值，可填：${sample}${list.items.length > 8 ? ' 等' : ''}`,
  };
}
