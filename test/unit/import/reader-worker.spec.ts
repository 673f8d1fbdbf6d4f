import { ImportFileError, readLedgerFile } from '../../../src/import/reader/index.js';
import type { TemplateDef } from '../../../src/templates/template.types.js';
import { idNumber } from '../../support/fixtures.js';
import { compileReaderWorker } from './support/compiled-worker.js';
import { rawSheetRows, rawXlsx, templateOf } from './support/xlsx-files.js';

// The reader as it runs in the server: in a worker thread, with a time limit and a heap cap.
let f02: TemplateDef;
let worker: ReturnType<typeof compileReaderWorker>;
let big: Buffer;
const ROWS = 60_000;

/** An F02 ledger of `n` rows, written as XML directly (exceljs would take longer than the read). */
function bigLedger(n: number): Buffer {
  const parts: string[] = [rawSheetRows([f02.columns.map((c) => c.header[0])])];
  for (let i = 0; i < n; i++) {
    const r = i + 2;
    const id = idNumber('500106', `19${40 + (i % 20)}0${1 + (i % 9)}1${i % 9}`, (i % 900) + 1);
    parts.push(
      `<row r="${r}"><c r="A${r}"><v>${i + 1}</v></c><c r="B${r}" t="inlineStr"><is><t>居民${i}</t></is></c><c r="C${r}" t="inlineStr"><is><t>${i % 2 ? '男' : '女'}</t></is></c>` +
        `<c r="D${r}"><v>${70 + (i % 20)}</v></c><c r="E${r}" t="inlineStr"><is><t>${id}</t></is></c><c r="F${r}" t="inlineStr"><is><t>重庆市沙坪坝区户籍地${i}号</t></is></c>` +
        `<c r="G${r}" t="inlineStr"><is><t>桥北路${i}号</t></is></c><c r="H${r}" t="inlineStr"><is><t>丧偶</t></is></c><c r="I${r}"><v>0</v></c>` +
        `<c r="J${r}" t="inlineStr"><is><t>分散供养</t></is></c><c r="K${r}"><v>${500 + (i % 7)}</v></c><c r="L${r}" t="inlineStr"><is><t>138${String(i).padStart(8, '0')}</t></is></c>` +
        `<c r="M${r}" t="inlineStr"><is><t>李升俊</t></is></c><c r="N${r}" t="inlineStr"><is><t>13800000002</t></is></c></row>`,
    );
  }
  return rawXlsx({ sheet: parts.join('') });
}

beforeAll(async () => {
  f02 = await templateOf('F02');
  worker = compileReaderWorker();
  big = bigLedger(ROWS);
});
afterAll(() => worker.dispose());

test('the worker reads exactly what the in-process reader reads', async () => {
  const small = bigLedger(300);
  const inWorker = await readLedgerFile(small, f02.columns, { workerUrl: worker.url });
  const inProcess = await readLedgerFile(small, f02.columns);
  expect(inWorker).toEqual(inProcess);
  expect(inWorker.rows).toHaveLength(300);
  expect(inWorker.rows[299].cells.name.text).toBe('居民299');
});

test('the main event loop keeps ticking while a big file is parsed', async () => {
  let ticks = 0;
  let last = performance.now();
  let longestGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks++;
  }, 5);
  const started = performance.now();
  const read = await readLedgerFile(big, f02.columns, { workerUrl: worker.url });
  const elapsed = performance.now() - started;
  clearInterval(timer);
  expect(read.rows).toHaveLength(ROWS);
  // The parse is the worker's; the main thread only rebuilds rows, a block at a time between its other work.
  // Bounds loose enough for a loaded 2-core CI machine (speed targets live in bench/): a parse on the main thread
  // would stall it for the whole read, seconds.
  expect(ticks).toBeGreaterThan(elapsed / 5 / 8);
  expect(longestGap).toBeLessThan(Math.min(1000, elapsed / 4));
});

test('past the time limit the worker is terminated: TIME_LIMIT', async () => {
  const started = performance.now();
  const e = await readLedgerFile(big, f02.columns, { workerUrl: worker.url, timeLimitMs: 50 }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ImportFileError);
  expect(e).toMatchObject({ code: 'TIME_LIMIT' });
  expect(performance.now() - started).toBeLessThan(1000);
});

test('over the heap cap the worker dies alone: MEMORY_LIMIT, and the next read works', async () => {
  const e = await readLedgerFile(big, f02.columns, { workerUrl: worker.url, maxHeapMb: 16 }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ImportFileError);
  expect(e).toMatchObject({ code: 'MEMORY_LIMIT' });
  const again = await readLedgerFile(bigLedger(10), f02.columns, { workerUrl: worker.url });
  expect(again.rows).toHaveLength(10);
});

test('file-level errors cross from the worker as ImportFileError with their code and details', async () => {
  const e = await readLedgerFile(rawXlsx({ sheet: rawSheetRows([['序号', '姓名']]) }), f02.columns, { workerUrl: worker.url }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ImportFileError);
  expect(e).toMatchObject({ code: 'HEADER_NOT_FOUND' });
});

test('in-process (no compiled worker, as under ts-jest) the time limit still holds', async () => {
  await expect(readLedgerFile(big, f02.columns, { timeLimitMs: 5 })).rejects.toMatchObject({ code: 'TIME_LIMIT' });
});
