import type { TemplateColumn } from '../../templates/template.types.js';

/** One cell as the sheet holds it: the typed value and the text as shown (trimmed). */
export interface RawCell {
  value: string | number | boolean | Date | null;
  text: string;
  /** 1-based sheet column. */
  column: number;
}

/** A problem the user should see: a whole file (no row), a row, or one cell. */
export interface ReadProblem {
  row?: number;
  column?: number;
  code: string;
  message: string;
}

/** A body row of the ledger: its sheet row number and, per mapped template column key, its cell. */
export interface SourceRow {
  row: number;
  cells: Record<string, RawCell>;
  /** Cell-level problems found while reading (ID number stored as a number, formula without value, merged cells…). */
  problems: ReadProblem[];
}

export interface SheetRead {
  sheetName: string;
  /** First and last header rows (1-based). */
  headerRows: [number, number];
  /** Template column key → 1-based sheet column; template columns absent from the sheet (allowed ones) are left out. */
  columnMap: { key: string; column: number }[];
  /** 填报单位 / 填报日期 when the sheet has that row (the date as yyyy-mm-dd). */
  info: { title?: string; unit?: string; date?: string };
  rows: SourceRow[];
  warnings: ReadProblem[];
}

export interface ReadLimits {
  /** Wall-clock limit of the whole read (default 60 000 ms). */
  timeLimitMs?: number;
  /** Cap on bytes actually inflated from the zip, all entries together (default 200 MB). */
  maxUncompressedBytes?: number;
  /** Cap on zip entries (default 1 000). */
  maxEntries?: number;
  /** Old-generation heap cap of the reading worker (default 1 024 MB). */
  maxHeapMb?: number;
}

export interface ReadOptions extends ReadLimits {
  /** Template column keys that may be missing from the sheet (default: the 序号 column). */
  optionalKeys?: string[];
  /** Keys of columns holding long identifiers (ID numbers…), where a numeric cell has lost digits. */
  identifierKeys?: string[];
  /** The worker script (tests point it at a compiled copy); default: `ledger-worker.js` beside this module. */
  workerUrl?: URL;
}

/** What crosses from the worker: plain data only. */
export interface ParseRequest {
  bytes: Uint8Array;
  columns: TemplateColumn[];
  options: Omit<ReadOptions, 'workerUrl'>;
}

export const DEFAULT_LIMITS = {
  timeLimitMs: 60_000,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxEntries: 1_000,
  maxHeapMb: 1_024,
} as const;
