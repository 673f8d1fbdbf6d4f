import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

// A load generator in its own process, so the client's CPU is not taken from the server being measured.
//   BENCH_TOKEN=<login token> [BENCH_IDEMPOTENCY_KEYS=1] node dist/bench/load-client.js <url> <requests.json> <concurrency>
//   → prints {"seconds":…,"ok":…,"failures":…,"failuresByCode":{…},"firstError":…}
// The token comes through the environment, not argv, so it does not show in `ps`. BENCH_IDEMPOTENCY_KEYS: a new
// Idempotency-Key on every request, as the page sends with every save.
const [url, file, concurrencyText] = process.argv.slice(2);
const token = process.env.BENCH_TOKEN;
if (!token) throw new Error('BENCH_TOKEN 未设置：负载客户端需要登录令牌');
const bodies: string[] = JSON.parse(fs.readFileSync(file, 'utf8')).map((b: unknown) => JSON.stringify(b));
const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
const withKeys = Boolean(process.env.BENCH_IDEMPOTENCY_KEYS);

let next = 0;
let ok = 0;
let failures = 0;
const failuresByCode: Record<string, number> = {};
let firstError: unknown = null;
const fail = (code: string, detail: unknown) => {
  failures++;
  failuresByCode[code] = (failuresByCode[code] ?? 0) + 1;
  firstError ??= detail;
};

/** One request: any answer but a 2xx with data and no errors counts as a failure (rate limits, 503s, bare 500s too). */
async function send(body: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: withKeys ? { ...headers, 'idempotency-key': randomUUID() } : headers, body });
  } catch (e) {
    return fail('NETWORK', String((e as Error).cause ?? e));
  }
  const text = await res.text();
  let json: { data?: unknown; errors?: { extensions?: { code?: string } }[] } | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: reported by its HTTP status below
  }
  if (json?.errors?.length) return fail(json.errors[0].extensions?.code ?? `HTTP ${res.status}`, json.errors[0]);
  if (!res.ok || !json?.data) return fail(`HTTP ${res.status}`, text.slice(0, 300));
  ok++;
}

const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: Number(concurrencyText) }, async () => {
    while (next < bodies.length) await send(bodies[next++]);
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ seconds, ok, failures, failuresByCode, firstError }));
