import { ValidationFailedError } from '../common/errors/domain-errors.js';

/** The largest page a paged query answers (`first`): lists people page through. */
export const MAX_PAGE_SIZE = 500;

/**
 * The largest page of a department's pull (formView, the typed form queries, formChanges): a system syncing a
 * district reads tens of thousands of rows, and each request costs a few milliseconds whatever its size (sign-in,
 * limits, the page's plan). Larger pages would outgrow the server's young heap and cost more than they save.
 */
export const MAX_PULL_PAGE_SIZE = 2000;

/**
 * The page size a paged query was asked for, or `fallback` when none was given. Outside 1–`max` it is an error, not
 * clamped: a client asking for 99,999,999 rows (or -1) has a bug it should hear about, not a silent 500.
 */
export function pageSize(first: number | null | undefined, fallback = 100, path: (string | number)[] = ['first'], max = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new ValidationFailedError([{ path, code: 'OUT_OF_RANGE', message: `每页行数（first）须在 1 到 ${max} 之间，收到 ${first}` }]);
  }
  return first;
}
