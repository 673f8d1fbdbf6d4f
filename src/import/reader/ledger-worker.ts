// Worker entry: parses one upload off the main thread and posts back plain data (never a class instance).
import { parentPort, workerData } from 'node:worker_threads';
import { encodeRows, transferablesOf } from './compact-codec.js';
import { ImportFileError } from './import-file-error.js';
import { parseLedger, type WireRead } from './parse-ledger.js';
import type { ParseRequest } from './reader.types.js';

export type WorkerReply =
  | { ok: true; result: WireRead }
  | { ok: false; error: { code: string; message: string; details?: string[] } }
  | { ok: false; unexpected: { message: string; stack?: string } };

const port = parentPort;
if (port) {
  let reply: WorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const { body, ...rest } = await parseLedger(workerData as ParseRequest);
    const encoded = encodeRows(body);
    transfer = transferablesOf(encoded);
    reply = { ok: true, result: { ...rest, body: encoded } };
  } catch (e) {
    reply = e instanceof ImportFileError
      ? { ok: false, error: e.toJSON() }
      : { ok: false, unexpected: { message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack } };
  }
  port.postMessage(reply, transfer);
}
