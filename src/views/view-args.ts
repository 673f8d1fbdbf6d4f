import { DomainError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { isRealDate, todayIso } from '../identity/index.js';
import type { TemplateDef } from '../templates/template.types.js';

// The arguments of a view as clients give them: a reference date or month, a delta instant, a page cursor.

export class BadCursorError extends DomainError {
  readonly code = 'BAD_CURSOR';
  constructor() {
    super('分页游标无效：请使用上一页 pageInfo.endCursor 的值');
  }
}

/** A reference date (default today) or, for monthly forms, a month (yyyy-mm, default this month). */
export function resolvePeriod(def: TemplateDef, given: string | null | undefined): { referenceDate: string; period: { from: string; to: string } } {
  const today = todayIso();
  const text = given?.trim() || (def.period === 'month' ? today.slice(0, 7) : today);
  const month = /^(\d{4})-(\d{2})$/.exec(text);
  if (month || def.period === 'month') {
    const ym = month ? text : text.slice(0, 7);
    const [y, m] = ym.split('-').map(Number);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const from = `${ym}-01`;
    const to = `${ym}-${String(last).padStart(2, '0')}`;
    if (!isRealDate(from)) throw invalidDate(text);
    // Ages in a monthly form are ages at the end of the month (FORMS.md: "the end of the reporting period").
    return { referenceDate: to, period: { from, to } };
  }
  if (!isRealDate(text)) throw invalidDate(text);
  return { referenceDate: text, period: { from: text, to: text } };
}

function invalidDate(text: string) {
  return new ValidationFailedError([{ path: ['referenceDate'], code: 'INVALID_DATE', message: `参考日期："${text}" 不是有效日期（yyyy-mm-dd）或年月（yyyy-mm）` }]);
}

export function parseInstant(text: string | null | undefined): Date | null {
  if (!text) return null;
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(d.getTime())) {
    throw new ValidationFailedError([{ path: ['updatedSince'], code: 'INVALID_INSTANT', message: `updatedSince："${text}" 不是 ISO 8601 时间（如 2026-11-25T08:00:00Z）` }]);
  }
  return d;
}

export const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

export function decodeCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new BadCursorError();
  return Number(m[1]);
}
