import { ValidationFailedError } from '../common/errors/domain-errors.js';

/** The largest page any paged query answers (`first`). */
export const MAX_PAGE_SIZE = 500;

/**
 * The page size a paged query was asked for, or `fallback` when none was given. Outside 1–500 it is an error, not
 * clamped: a client asking for 99,999,999 rows (or -1) has a bug it should hear about, not a silent 500.
 */
export function pageSize(first: number | null | undefined, fallback = 100, path: (string | number)[] = ['first']): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new ValidationFailedError([{ path, code: 'OUT_OF_RANGE', message: `每页行数（first）须在 1 到 ${MAX_PAGE_SIZE} 之间，收到 ${first}` }]);
  }
  return first;
}
