/** How many changes a command reads, checks and writes together: ~500 rows per statement keeps imports fast. */
export const CHUNK = 500;

/** A record's facts before and after a change (null: created), written to the audit log once per batch. */
export type AuditLine = { recordId: number; before: Record<string, unknown> | null; after: Record<string, unknown> | null; action?: string };

export interface CommandOptions {
  /** The day the changes are made on (validation of dates, 登记日期 of new residents). */
  today?: string;
  /** The audit log's action for changes to stored records (default `update`): `transfer` for a street's move. */
  auditAction?: string;
  /** Called after each batch with how many changes are done. */
  onProgress?: (done: number) => void;
}

/** The same fact whether the database or the input gives it (null and undefined, 1.5 and 1.50000000001). */
export function sameValue(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9);
}
