import fs from 'node:fs';

// A load generator in its own process, so the client's CPU is not taken from the server being measured.
// node dist/bench/load-client.js <url> <requests.json> <concurrency>  →  prints {"seconds":…,"failures":…,"firstError":…}
const [url, file, concurrencyText] = process.argv.slice(2);
const bodies: string[] = JSON.parse(fs.readFileSync(file, 'utf8')).map((b: unknown) => JSON.stringify(b));
let next = 0;
let failures = 0;
let firstError: unknown = null;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: Number(concurrencyText) }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const json = (await res.json()) as { errors?: unknown[] };
      if (json.errors) {
        failures++;
        firstError ??= json.errors[0];
      }
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ seconds, failures, firstError }));
