import { Worker } from 'node:worker_threads';
import type { TemplateColumn } from '../../templates/template.types.js';
import { ImportFileError, type ImportFileErrorCode } from './import-file-error.js';
import type { WorkerReply } from './ledger-worker.js';
import { BLOCK_ROWS, decoder, encodeRows } from './compact-codec.js';
import { parseLedger, type WireRead } from './parse-ledger.js';
import { DEFAULT_LIMITS, type ParseRequest, type RawCell, type ReadOptions, type ReadProblem, type SheetRead, type SourceRow } from './reader.types.js';
import { checkMagic, timeLimit } from './zip-guard.js';

/**
 * Reads an uploaded department ledger (.xlsx) against a template's columns. The parsing runs in a worker thread
 * with a heap cap and is terminated at the time limit, so a hostile or huge file costs the server nothing but that
 * worker. File-level problems reject with ImportFileError; cell-level ones come back on their rows.
 */
export async function readLedgerFile(bytes: Uint8Array, columns: TemplateColumn[], opts: ReadOptions = {}): Promise<SheetRead> {
  checkMagic(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)); // the common mistakes, without a worker
  const { workerUrl, ...options } = opts;
  // A private copy: it is transferred to the worker, and the caller's buffer may be a slice of Node's pool.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const request: ParseRequest = { bytes: copy, columns, options };
  const limit = opts.timeLimitMs ?? DEFAULT_LIMITS.timeLimitMs;
  const url = workerUrl ?? compiledWorker();
  const compact = url ? await inWorker(url, request, limit, opts.maxHeapMb ?? DEFAULT_LIMITS.maxHeapMb) : await inProcess(request, limit);
  return expand(compact);
}

/**
 * The worker is the compiled `ledger-worker.js` beside this module (dist/src/import/reader/). Run from TypeScript
 * sources (ts-jest) there is no such file and Node 20 cannot run .ts in a worker: the read then runs in-process,
 * still streaming and still bounded by the byte caps and a deadline checked between chunks.
 */
function compiledWorker(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('./ledger-worker.js', import.meta.url) : null;
}

async function inProcess(request: ParseRequest, limitMs: number): Promise<WireRead> {
  const { body, ...rest } = await parseLedger(request, performance.now() + limitMs);
  return { ...rest, body: encodeRows(body) };
}

function inWorker(url: URL, request: ParseRequest, limitMs: number, heapMb: number): Promise<WireRead> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, {
      workerData: request,
      transferList: [request.bytes.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      done();
    };
    const timer = setTimeout(() => settle(() => reject(timeLimit())), limitMs);
    worker.once('message', (reply: WorkerReply) =>
      settle(() => {
        if (reply.ok) resolve(reply.result);
        else if ('error' in reply) reject(new ImportFileError(reply.error.code as ImportFileErrorCode, reply.error.message, reply.error.details));
        else reject(Object.assign(new Error(`读取台账文件时出错：${reply.unexpected.message}`), { stack: reply.unexpected.stack }));
      }),
    );
    worker.once('error', (err: Error & { code?: string }) =>
      settle(() =>
        reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new ImportFileError('MEMORY_LIMIT', '文件过大或结构过于复杂，读取时超出内存限制，已停止。请分成几个文件后再上传')
          : err),
      ),
    );
    worker.once('exit', (code) => settle(() => reject(new Error(`读取台账的工作线程意外退出（退出码 ${code}）`))));
  });
}

/** Encoded arrays → rows of cells keyed by template column, a few thousand rows per turn of the event loop. */
async function expand(read: WireRead): Promise<SheetRead> {
  const { body, ...rest } = read;
  const { keys, columns, rowNumbers } = body;
  const problems = new Map<number, ReadProblem[]>();
  for (const p of body.problems) {
    const list = problems.get(p.row!);
    if (list) list.push(p);
    else problems.set(p.row!, [p]);
  }
  const { texts, value } = decoder(body);
  const rows: SourceRow[] = new Array(rowNumbers.length);
  const width = keys.length;
  for (let block = 0; block * BLOCK_ROWS < rowNumbers.length; block++) {
    if (block > 0) await new Promise((done) => setImmediate(done));
    const text = texts(block);
    const first = block * BLOCK_ROWS;
    for (let r = first, j = 0; r < Math.min(first + BLOCK_ROWS, rowNumbers.length); r++) {
      const cells: Record<string, RawCell> = {};
      for (let k = 0; k < width; k++, j++) cells[keys[k]] = { value: value(r * width + k, text[j]), text: text[j], column: columns[k] };
      rows[r] = { row: rowNumbers[r], cells, problems: problems.get(rowNumbers[r]) ?? [] };
    }
  }
  return { ...rest, rows };
}
