// Worker entry: reads and formats a view's rows, sending them to the thread that writes the export.
import { parentPort, workerData } from 'node:worker_threads';
import { BATCHES_AHEAD, formattedBatches, type FormattedRowsRequest, type WorkerMessage } from './formatted-rows.js';

const port = parentPort!;
let credit = BATCHES_AHEAD;
let more: (() => void) | null = null;
port.on('message', () => {
  credit++;
  more?.();
});

const send = (m: WorkerMessage) => port.postMessage(m);
try {
  for await (const rows of formattedBatches(workerData as FormattedRowsRequest)) {
    // Wait for the writer to take a batch before reading further: memory stays a few batches, whatever the size.
    while (credit === 0) await new Promise<void>((resolve) => (more = resolve));
    credit--;
    send({ rows });
  }
  send({ done: true });
} catch (e) {
  send({ error: e instanceof Error ? e.message : String(e) });
}
port.unref();
