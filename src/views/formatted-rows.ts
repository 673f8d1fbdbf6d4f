import { Worker } from 'node:worker_threads';
import { rowCursor, type DatabaseTarget } from '../database/row-cursor.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { TemplateColumn } from '../templates/template.types.js';
import { formatRow } from './row-formatter.js';

/** What it takes to read and format a view's rows anywhere: plain data, so it can cross to a worker thread. */
export interface FormattedRowsRequest {
  database: DatabaseTarget;
  sql: string;
  params: unknown[];
  columns: TemplateColumn[];
  dictionary: Dictionary;
  referenceDate: string;
}

export type WorkerMessage = { rows: unknown[][] } | { done: true } | { error: string };

/** Batches the reader may send ahead of the consumer: enough to keep both threads busy, few enough to stay small. */
export const BATCHES_AHEAD = 4;

/** Every row of a view, formatted, batch by batch from a database cursor (in whatever thread runs this). */
export async function* formattedBatches(req: FormattedRowsRequest): AsyncGenerator<unknown[][]> {
  let n = 0;
  for await (const batch of rowCursor(req.database, req.sql, req.params)) {
    yield batch.map((r) => formatRow(req.columns, req.dictionary, r, { rowNumber: ++n, referenceDate: req.referenceDate }));
  }
}

/**
 * The same rows, read and formatted in a worker thread while the caller writes them (an export: the database and
 * the formatting on one core, exceljs on the other). Run from TypeScript sources (tests) there is no compiled
 * worker to start: the rows are then read in this thread, identically.
 */
export async function* formattedRows(req: FormattedRowsRequest): AsyncGenerator<unknown[]> {
  const url = import.meta.url.endsWith('.js') ? new URL('./formatted-rows.worker.js', import.meta.url) : null;
  if (!url) {
    for await (const batch of formattedBatches(req)) yield* batch;
    return;
  }
  // A small heap: the reader holds a few batches at a time, whatever the row count (peak RSS is the export's budget).
  const worker = new Worker(url, { workerData: req, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 } });
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const arrived = () => wake?.();
  worker.on('message', (m: WorkerMessage) => (queue.push(m), arrived()));
  worker.on('error', (e) => ((failure = e), arrived()));
  worker.on('exit', (code) => (code !== 0 && !failure && (failure = new Error(`读取表单数据的工作线程意外退出（退出码 ${code}）`)), arrived()));
  try {
    for (;;) {
      while (queue.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const message = queue.shift();
      if (!message) throw failure!;
      if ('error' in message) throw new Error(message.error);
      if ('done' in message) return;
      worker.postMessage('more'); // one batch taken: the reader may send one more
      yield* message.rows;
    }
  } finally {
    await worker.terminate();
  }
}
