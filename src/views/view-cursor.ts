import { ValidationFailedError } from '../common/errors/domain-errors.js';
import type { Params } from './sql-dialect.js';

// Keyset paging of a row form: a page ends on a row, and the next page starts strictly after that row in the form's
// own order (the template's orderBy, then the ID number, then the id: a total order). Rows inserted or removed
// between pages move nothing: every row present for the whole pull is read exactly once. No OFFSET, so the last
// page costs what the first does. Pure: SQL text and parameters only.

/** One expression of a form's ORDER BY. */
export interface OrderKey {
  expr: string;
  descending: boolean;
  /** Whether the expression can be NULL (an optional field, a LEFT JOINed household's). */
  nullable: boolean;
  /** What its values are, to refuse a tampered cursor before the database does. */
  type: 'number' | 'string' | 'boolean';
}

/**
 * Where a page ended. Opaque to clients (base64url JSON). A live view's cursor holds the last row's key values;
 * a frozen report's its position in the snapshot, bound to that snapshot. `n`: rows delivered so far (序号 goes on).
 */
type CursorState = { form: string; n: number } & ({ kind: 'keys'; keys: unknown[] } | { kind: 'frozen'; report: string });

export const encodeViewCursor = (s: CursorState): string =>
  Buffer.from(JSON.stringify(s.kind === 'keys' ? ['k', s.form, s.n, s.keys] : ['f', s.form, s.n, s.report])).toString('base64url');

export function invalidCursor(reason: string): ValidationFailedError {
  return new ValidationFailedError([{ path: ['after'], code: 'INVALID_CURSOR', message: `分页游标无效：${reason}；请从第一页（不带 after）重新读取，之后只传回上一页的 pageInfo.endCursor` }]);
}

/** A cursor given back by a client, checked against the form (and its key count) before any SQL sees it. */
export function decodeViewCursor(cursor: string | null | undefined, form: string, order: OrderKey[]): CursorState | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // Cursors before keyset paging were "o:<offset>": refused, never read as a position that now names other rows.
    throw invalidCursor('不是本接口发出的游标（旧版按行数的游标已停用）');
  }
  if (!Array.isArray(value) || value.length !== 4 || (value[0] !== 'k' && value[0] !== 'f') || typeof value[1] !== 'string' || !Number.isSafeInteger(value[2]) || value[2] < 0) {
    throw invalidCursor('不是本接口发出的游标（旧版按行数的游标已停用）');
  }
  if (value[1] !== form) throw invalidCursor(`该游标属于表单 ${value[1]}，不是 ${form}`);
  if (value[0] === 'f') {
    if (typeof value[3] !== 'string') throw invalidCursor('格式错误');
    return { kind: 'frozen', form, n: value[2], report: value[3] };
  }
  const keys = value[3];
  if (!Array.isArray(keys) || keys.length !== order.length || !keys.every((v, i) => fits(order[i], v))) throw invalidCursor('格式错误');
  return { kind: 'keys', form, n: value[2], keys };
}

/** Whether a cursor's value can be compared with a key (numeric columns may come back as text: PostgreSQL numeric). */
function fits(key: OrderKey, v: unknown): boolean {
  if (v === null) return key.nullable;
  if (key.type === 'string') return typeof v === 'string' && v.length <= 1000;
  if (key.type === 'boolean') return typeof v === 'boolean' || v === 0 || v === 1;
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^-?\d{1,20}(\.\d{1,10})?$/.test(v));
}

/**
 * Rows strictly after `values` in the order of `keys`, as one condition. NULL sorts below every value on both
 * databases (the ORDER BY says NULLS FIRST / NULLS LAST on PostgreSQL, SQLite's default). Where it cannot be one row
 * value, the first key also gets a plain bound where one is valid, so an index in the form's order is entered near
 * the cursor, not read from its start.
 */
export function afterCondition(keys: OrderKey[], values: unknown[], params: Params): string {
  const eq = (k: OrderKey, v: unknown) => (v === null ? `${k.expr} IS NULL` : `${k.expr} = ${params.add(v)}`);
  const beyond = (k: OrderKey, v: unknown): string | null => {
    if (!k.descending) return v === null ? (k.nullable ? `${k.expr} IS NOT NULL` : '1 = 1') : `${k.expr} > ${params.add(v)}`;
    if (v === null) return null; // descending: NULLs come last, nothing after them
    return k.nullable ? `(${k.expr} < ${params.add(v)} OR ${k.expr} IS NULL)` : `${k.expr} < ${params.add(v)}`;
  };
  // Every key ascending and the cursor's values not NULL (F07, F01…): one row value, (登记日期, ID number, id) > (…),
  // exact as it is — NULLs sort first, so a row whose comparison meets a NULL lies before the cursor — and an index in
  // the form's order is entered at the cursor itself, not at its first key's value (a district registers hundreds of
  // people a day: a page in the middle of such a day would read the day's earlier rows again).
  if (keys.every((k, i) => !k.descending && values[i] !== null)) {
    return `(${keys.map((k) => k.expr).join(', ')}) > (${values.map((x) => params.add(x)).join(', ')})`;
  }
  // Placeholders are positional on SQLite: every part is written in text order, the bound first.
  const [first] = keys;
  const v = values[0];
  const bound = v === null ? null : !first.descending ? `${first.expr} >= ${params.add(v)}` : !first.nullable ? `${first.expr} <= ${params.add(v)}` : null;
  // after(i): key i beyond its value, or key i equal and after(i + 1).
  const after = (i: number): string => {
    const b = beyond(keys[i], values[i]);
    if (i === keys.length - 1) return b ?? '1 = 0';
    const tail = `(${eq(keys[i], values[i])} AND ${after(i + 1)})`;
    return b ? `(${b} OR ${tail})` : tail;
  };
  const condition = after(0);
  return bound ? `${bound} AND ${condition}` : condition;
}
