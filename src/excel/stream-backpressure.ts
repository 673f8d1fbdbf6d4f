/**
 * Backpressure for exceljs 4.4's streaming writer, which has none: each worksheet writes its rows into a StreamBuf
 * (exceljs/lib/utils/stream-buf.js) that hands every 64 KiB buffer to its pipe without looking at write()'s return
 * value. That pipe is the PassThrough archiver-utils wraps around the sheet in zip.append(), and the zip deflater
 * reads it one chunk per event-loop turn, one sheet after another. So rows the deflater has not taken yet pile up
 * there as Buffers outside the JS heap: ~1.2 KB per row, 1.5 GB at a million rows.
 *
 * `await drained(workbook)` every thousand rows waits until those PassThroughs hold at most `maxPendingBytes`.
 * It reads exceljs internals (WorksheetWriter#stream, StreamBuf#pipes, the streams' buffered lengths), each probed:
 * if they are missing it returns at once; it never throws and never waits longer than `timeoutMs`.
 */

interface BufferedStream {
  writableLength?: number;
  readableLength?: number;
  _writableState?: { length?: number };
  _readableState?: { length?: number };
  once?(event: string, listener: () => void): unknown;
  removeListener?(event: string, listener: () => void): unknown;
}

interface SheetInternals {
  stream?: { pipes?: BufferedStream[] };
  committed?: boolean;
}

export interface DrainOptions {
  maxPendingBytes?: number;
  timeoutMs?: number;
  pollMs?: number;
}

/** below-limit; not-consumed: the backlog waits behind an open sheet (waiting would deadlock); timeout; unsupported. */
export type DrainReason = 'below-limit' | 'not-consumed' | 'timeout' | 'unsupported';

const lengthOf = (s: BufferedStream) =>
  (s.writableLength ?? s._writableState?.length ?? 0) + (s.readableLength ?? s._readableState?.length ?? 0);

/** The workbook's sheets in zip-entry order (their ids), from its getWorksheet(id). */
function sheetsOf(workbook: unknown): SheetInternals[] {
  const get = (workbook as { getWorksheet?: (id: number) => unknown } | null)?.getWorksheet;
  if (typeof get !== 'function') return [];
  const sheets: SheetInternals[] = [];
  for (let id = 1; id <= 10_000; id++) {
    const ws = get.call(workbook, id);
    if (!ws || typeof ws !== 'object') break;
    sheets.push(ws as SheetInternals);
  }
  return sheets;
}

/** Bytes waiting in front of the deflater: all of them, and those it can take now (up to the first open sheet). */
function backlog(sheets: SheetInternals[]): { total: number; consumable: number; streams: BufferedStream[] } | null {
  let total = 0;
  let consumable = 0;
  let blocked = false;
  let known = false;
  const streams: BufferedStream[] = [];
  for (const ws of sheets) {
    const pipes = ws.stream?.pipes;
    if (!Array.isArray(pipes)) continue;
    known = true;
    for (const p of pipes) {
      total += lengthOf(p);
      if (!blocked) {
        consumable += lengthOf(p);
        streams.push(p);
      }
    }
    if (ws.committed !== true) blocked = true; // archiver zips one entry at a time
  }
  return known ? { total, consumable, streams } : null;
}

function progress(streams: BufferedStream[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const events = ['drain', 'end', 'close'];
    const done = () => {
      clearTimeout(timer);
      for (const s of streams) for (const e of events) s.removeListener?.(e, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of streams) for (const e of events) s.once?.(e, done);
  });
}

/** Waits until the streaming workbook's sheets hold at most `maxPendingBytes` (default 2 MiB) not yet zipped. */
export async function drained(workbook: unknown, options: DrainOptions = {}): Promise<DrainReason> {
  const { maxPendingBytes = 2 << 20, timeoutMs = 60_000, pollMs = 50 } = options;
  const sheets = sheetsOf(workbook);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = backlog(sheets);
    if (!b) return 'unsupported';
    if (b.total <= maxPendingBytes) return 'below-limit';
    if (b.consumable <= maxPendingBytes) return 'not-consumed';
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    await progress(b.streams, Math.min(pollMs, left));
  }
}

/** Bytes the workbook's sheets hold that the zip deflater has not taken yet (-1 if the internals are not there). */
export function pendingBytes(workbook: unknown): number {
  return backlog(sheetsOf(workbook))?.total ?? -1;
}
