// Values as people type them into a ledger, turned into canonical ones. Pure functions, no dictionary access.
import { isRealDate } from '../../identity/index.js';
import type { RawCell } from '../reader/reader.types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(code: string, message: string): Parsed<T> => ({ ok: false, code, message });

/** Full-width ASCII (digits, letters, punctuation) and the ideographic space folded to half-width. */
const WIDE = /[\uff01-\uff5e\u3000]/;

export function foldWidth(s: string): string {
  if (!WIDE.test(s)) return s;
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Free text keeps its Chinese punctuation (，。：（）); only full-width digits, letters and spaces are folded. */
export function foldText(s: string): string {
  if (!WIDE.test(s)) return s;
  return s.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

const tokens = new Map<string, string>();

/** A token compared loosely: folded, no whitespace at all, lower case. Short ones (是, 男, 汉族) are remembered. */
export function token(s: string): string {
  let t = tokens.get(s);
  if (t === undefined) {
    t = foldWidth(s).replace(/\s+/g, '').toLowerCase();
    if (s.length <= 16 && tokens.size < 20_000) tokens.set(s, t);
  }
  return t;
}

/** Nothing given: the reader trims text, and every non-empty value shows some text. */
export const isBlank = (cell: RawCell | undefined): boolean => !cell || cell.text.trim() === '';

const YES = new Set(['是', '√', '✓', '✔', '☑', 'y', 'yes', 'true', '1', '有', '对', '享受', '已享受']);
const NO = new Set(['否', '×', '✗', '✘', '☐', 'n', 'no', 'false', '0', '无', '没有', '不', '不是', '不享受', '未享受', '错']);

/** 是/否, √/×, Y/N, 有/无, TRUE/FALSE, 1/0, and the column's own words (已采集/未采集). */
export function parseYesNo(cell: RawCell, words?: { yes: string; no: string }): Parsed<boolean> {
  if (typeof cell.value === 'boolean') return ok(cell.value);
  const t = token(cell.text);
  if (words && t === token(words.yes)) return ok(true);
  if (words && t === token(words.no)) return ok(false);
  if (YES.has(t)) return ok(true);
  if (NO.has(t)) return ok(false);
  const say = words ? `${words.yes}/${words.no}` : '是/否';
  return fail('INVALID_TYPE', `"${cell.text}" 不是${say}（也可填 √/×、Y/N、有/无）`);
}

const UNIT = /(元|人民币|cm|厘米|公分|人|个|名|岁|周岁|户)$/i;

/** A number cell, or text like "1,200.50元", "１７０cm". */
export function parseNumber(cell: RawCell): Parsed<number> {
  if (typeof cell.value === 'number') return ok(cell.value);
  const t = foldWidth(cell.text).replace(/\s+/g, '').replace(UNIT, '').replace(/,(?=\d{3}(\D|$))/g, '');
  if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return ok(Number(t));
  return fail('INVALID_TYPE', `"${cell.text}" 不是数字`);
}

/** A date as far as the cell says it: year and month, and the day when given. */
export interface DateParts {
  year: number;
  month: number;
  day?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
export const isoOf = (p: DateParts) => (p.day === undefined ? `${p.year}-${pad(p.month)}` : `${p.year}-${pad(p.month)}-${pad(p.day)}`);

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/**
 * Excel date cells, date serial numbers, 19580305, 195803, and text such as 1958-3-5, 1958/3/5, 1958.03.05,
 * 1958年3月5日, 1958.03, 1958年3月. A number 1958.1 is refused: typed as 1958.10 (October) Excel keeps 1958.1.
 */
export function parseDateParts(cell: RawCell): Parsed<DateParts> {
  const { value } = cell;
  if (value instanceof Date) {
    const parts = { year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, day: value.getUTCDate() };
    // A date cell formatted without the day (yyyy-mm) says a month; the reader shows it as yyyy-mm.
    return ok(/^\d{4}-\d{2}$/.test(cell.text) ? { year: parts.year, month: parts.month } : parts);
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      if (value >= 1800_01_01 && value <= 2999_12_31) return fromText(String(value), cell.text);
      if (value >= 1800_01 && value <= 2999_12) return fromText(String(value), cell.text);
      if (value >= 1800 && value <= 2100) return fail('INVALID_DATE', `"${cell.text}" 只有年份，请写明年月日`);
    }
    if (/^\d{4}\.\d+$/.test(cell.text)) {
      const decimals = cell.text.split('.')[1];
      if (decimals === '1') {
        return fail('INVALID_DATE', `"${cell.text}" 是数字，分不清是 ${cell.text.slice(0, 4)} 年 1 月还是 10 月（Excel 把 1958.10 存成了 1958.1）。请把该列设为"文本"格式后重填，或写成 ${cell.text.slice(0, 4)}年10月`);
      }
      return fromText(decimals.length === 1 ? `${cell.text.slice(0, 4)}.0${decimals}` : cell.text, cell.text);
    }
    if (value >= 1 && value < 2_958_466) {
      // A serial number in a cell not formatted as a date.
      const d = new Date(EXCEL_EPOCH + Math.floor(value < 61 ? value + 1 : value) * 86_400_000);
      return ok({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    }
    return fail('INVALID_DATE', `"${cell.text}" 不是有效日期`);
  }
  return fromText(cell.text, cell.text);
}

function fromText(raw: string, shown: string): Parsed<DateParts> {
  const t = foldWidth(raw).replace(/\s+/g, ' ').trim().replace(/\s*(\d{1,2}:\d{2}(:\d{2})?)$/, '');
  let m = /^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) {
    const p = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    return isRealDate(isoOf(p)) ? ok(p) : fail('INVALID_DATE', `"${shown}" 不是有效日期`);
  }
  m = /^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$/.exec(t) ?? /^(\d{4})(\d{2})$/.exec(t);
  if (m) {
    const p = { year: Number(m[1]), month: Number(m[2]) };
    return p.month >= 1 && p.month <= 12 ? ok(p) : fail('INVALID_DATE', `"${shown}" 不是有效年月`);
  }
  if (/^\d{4}\s*年?$/.test(t)) return fail('INVALID_DATE', `"${shown}" 只有年份，请写明年月日`);
  return fail('INVALID_DATE', `"${shown}" 不是有效日期（可写作 1958-03-05、1958/3/5、1958年3月5日）`);
}

/** A date field: yyyy-mm-dd; a month alone is not enough. */
export function parseDate(cell: RawCell): Parsed<string> {
  const p = parseDateParts(cell);
  if (!p.ok) return p;
  if (p.value.day === undefined) return fail('INVALID_DATE', `"${cell.text}" 只有年月，本列需要完整日期（年月日）`);
  return ok(isoOf(p.value));
}

/** A month field: yyyy-mm; a full date gives its month. */
export function parseMonth(cell: RawCell): Parsed<string> {
  const p = parseDateParts(cell);
  return p.ok ? ok(isoOf({ year: p.value.year, month: p.value.month })) : p;
}
