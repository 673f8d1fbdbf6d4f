import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * A report's rows as the department would see them (every column, full values: masking is applied when they are
 * read), frozen at submission. Stored as one gzipped JSON value per report.
 */
export interface ReportSnapshot {
  title: string;
  referenceDate: string;
  period: { from: string; to: string };
  /** Column keys, in the form's order. */
  columns: string[];
  rows: unknown[][];
  /** A stable key per row (the record's id), for comparing with the live ledger. */
  keys: string[];
  /** The 合计 row, or null. */
  totals: unknown[] | null;
}

/** SHA-256 of what the report says (columns, rows, keys, totals): the same content hashes the same on any database. */
export function snapshotHash(s: ReportSnapshot): string {
  return createHash('sha256').update(JSON.stringify([s.columns, s.keys, s.rows, s.totals])).digest('hex');
}

export function encodeSnapshot(s: ReportSnapshot): Buffer {
  return gzipSync(JSON.stringify(s), { level: 6 });
}

export function decodeSnapshot(bytes: Buffer | Uint8Array): ReportSnapshot {
  return JSON.parse(gunzipSync(bytes).toString('utf8')) as ReportSnapshot;
}
