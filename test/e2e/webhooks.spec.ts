import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScrubbingLogger } from '../../src/common/scrubbing-logger.js';
import { ConfigService } from '../../src/config/config.service.js';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { FeedRepository } from '../../src/feeds/feed.repository.js';
import { FeedService } from '../../src/feeds/feed.service.js';
import { verifySignature } from '../../src/feeds/webhook-signature.js';
import { WebhookDeliverer } from '../../src/feeds/webhook.deliverer.js';
import { WebhookRepository } from '../../src/feeds/webhook.repository.js';
import { WebhookService } from '../../src/feeds/webhook.service.js';
import { todayIso } from '../../src/identity/index.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * Webhooks against a local receiver that fails, resets connections and answers too late on purpose, with two
 * deliverers (the app's own timer and a second one, as another server would run it) taking batches from the queue:
 * every batch arrives, in order (each starts where the one before ended), signed; a batch arrives twice only with the
 * same delivery id and content; the receiver's copy equals formView for the department's account (masked).
 */
const DEMO_PASSWORD = 'yibiaotong2026';
const STREET = '500106108000';
const DISTRICT = '500106000000';
const TIMEOUT_MS = 400;
const SECRETS = { minzheng: 'minzheng-secret-0123456789abcdef', paichusuo: 'paichusuo-secret-fedcba9876543210', redirect: 'redirect-secret-00112233445566' };

interface Received {
  path: string;
  webhookId: string;
  deliveryId: string;
  raw: string;
  body: any;
  signature: string;
  timestamp: string;
  at: number;
}

/** A department's receiver: records everything it processed, answers by a fixed schedule of failures. */
function receiver(port: () => number) {
  const received: Received[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const id = String(req.headers['x-ybt-webhook-id']);
      if (req.url === '/redirect') {
        res.writeHead(307, { location: `http://localhost:${port()}/hook` }).end();
        received.push({ path: req.url, webhookId: id, deliveryId: String(req.headers['x-ybt-delivery-id']), raw, body: null, signature: '', timestamp: '', at: Date.now() });
        return;
      }
      const turn = n++;
      if (turn % 11 === 7) return void req.socket.destroy(); // connection reset: not processed
      if (turn % 6 === 2) return void res.writeHead(500).end('busy'); // refused: not processed
      // Processed (a department would store it); the answer comes too late every sixth time: the server retries.
      const [signature, timestamp] = [String(req.headers['x-ybt-signature']), String(req.headers['x-ybt-timestamp'])];
      received.push({ path: req.url!, webhookId: id, deliveryId: String(req.headers['x-ybt-delivery-id']), raw, body: JSON.parse(raw), signature, timestamp, at: Date.now() });
      if (turn % 6 === 4) setTimeout(() => res.writeHead(200).end('late'), TIMEOUT_MS + 300);
      else res.writeHead(204).end();
    });
  });
  return { server, received };
}

const hooks: Record<string, number> = {};

describe(`webhooks (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let rx: ReturnType<typeof receiver>;
  let port = 0;
  let second: WebhookDeliverer;
  let secondTimer: NodeJS.Timeout;
  const logged: string[] = [];
  const q = (n: number) => (isPostgres() ? `$${n}` : '?');

  beforeAll(async () => {
    rx = receiver(() => port);
    await new Promise<void>((resolve) => rx.server.listen(0, '127.0.0.1', resolve));
    port = (rx.server.address() as AddressInfo).port;
    class CapturingLogger extends ScrubbingLogger {
      override log(message: unknown, ...rest: unknown[]) { logged.push(String(message)); super.log(message as string, ...(rest as string[])); }
      override warn(message: unknown, ...rest: unknown[]) { logged.push(String(message)); super.warn(message as string, ...(rest as string[])); }
      override error(message: unknown, ...rest: unknown[]) { logged.push(String(message), ...rest.map(String)); super.error(message as string, ...(rest as string[])); }
    }
    t = await createTestApp({
      seedDemo: true,
      logger: new CapturingLogger({ logLevels: ['error', 'warn'] }),
      env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_POLL_MS: '30', WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_RETRY_MAX_MS: '200' },
    });
    // A second deliverer on the same database, as a second server process would run it.
    second = new WebhookDeliverer(t.app.get(ConfigService), t.app.get(WebhookRepository), t.app.get(FeedRepository), t.app.get(FeedService), t.app.get(WebhookService), t.app.get(UnitOfWork));
    secondTimer = setInterval(() => void second.tick(), 25);
  }, 120_000);
  afterAll(async () => {
    clearInterval(secondTimer);
    await second?.onApplicationShutdown();
    await t?.close();
    rx.server.closeAllConnections();
    await new Promise((resolve) => rx.server.close(resolve));
  });

  const sql = (text: string, params: unknown[] = []) => t.dataSource.query(text, params) as Promise<Record<string, any>[]>;
  const CREATE = 'mutation ($i: WebhookInput!) { createWebhook(input: $i) { id state cursor account orgUnit } }';
  const create = (input: Record<string, unknown>) => t.gql(CREATE, { i: input });
  const errorCode = (res: { errors?: any[] }) => res.errors?.[0]?.extensions?.code;

  /** Until every webhook has looked at the log up to its end and nothing is pending. */
  async function settled(ids: number[]): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [{ head }] = await sql('SELECT MAX(seq) AS head FROM feed_changes');
      const hooksNow = await sql(`SELECT id, scan_seq FROM webhooks WHERE id IN (${ids.join(', ')})`);
      const [{ n }] = await sql(`SELECT COUNT(*) AS n FROM webhook_deliveries WHERE state = 'pending' AND webhook_id IN (${ids.join(', ')})`);
      if (Number(n) === 0 && hooksNow.every((h) => Number(h.scan_seq) === Number(head))) return;
      if (Date.now() > deadline) throw new Error(`推送未追上：head ${head}，${JSON.stringify(hooksNow)}，待投递 ${n}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The deliveries a webhook's receiver processed, each once, in the order they first came; checks each duplicate. */
  function chain(webhookId: number): any[] {
    const mine = rx.received.filter((r) => r.webhookId === String(webhookId) && r.path === '/hook');
    // Checked as a receiver would, with the secret the administrator gave for this webhook, when it arrived.
    const secret = webhookId === hooks.minzheng ? SECRETS.minzheng : SECRETS.paichusuo;
    expect(mine.filter((r) => !verifySignature(secret, r.signature, r.timestamp, r.raw, 300, r.at))).toEqual([]);
    expect(mine.some((r) => verifySignature(secret, r.signature.replace(/.$/, (c) => (c === '0' ? '1' : '0')), r.timestamp, r.raw, 300, r.at))).toBe(false);
    const first = new Map<string, Received>();
    for (const r of mine) {
      const seen = first.get(r.deliveryId);
      if (seen) expect(r.raw).toBe(seen.raw); // a duplicate is the same batch, byte for byte
      else first.set(r.deliveryId, r);
    }
    return [...first.values()].map((r) => r.body);
  }

  /** Applies batches to a copy: each must start where the one before ended (none lost, none out of order). */
  function apply(batches: any[], from: string | null, copy = new Map<string, unknown[]>()) {
    let cursor = from;
    for (const b of batches) {
      if (cursor !== null) expect(b.from).toBe(cursor);
      cursor = b.cursor;
      for (const c of b.changes) {
        expect([c.kind, copy.has(c.key)]).toEqual([c.kind, c.kind !== 'ENTERED']);
        if (c.kind === 'LEFT') copy.delete(c.key);
        else copy.set(c.key, c.row);
      }
    }
    return { copy, cursor };
  }

  async function formView(username: string, code: string, org: string): Promise<Map<string, unknown[]>> {
    const { gql } = await t.as({ username, password: DEMO_PASSWORD, role: 'admin' });
    const rows = new Map<string, unknown[]>();
    let after: string | null = null;
    for (;;) {
      const res: any = await gql('query ($c: String!, $o: String!, $a: String) { formView(code: $c, orgUnit: $o, first: 500, after: $a) { columns { key } rows keys pageInfo { hasNextPage endCursor } } }', { c: code, o: org, a: after });
      expect(res.errors).toBeUndefined();
      const v = res.data.formView;
      const keep = v.columns.map((c: { key: string }, i: number) => (c.key === 'rowNumber' ? -1 : i)).filter((i: number) => i >= 0);
      v.rows.forEach((r: unknown[], i: number) => rows.set(v.keys[i], keep.map((k: number) => r[k])));
      if (!v.pageInfo.hasNextPage) return rows;
      after = v.pageInfo.endCursor;
    }
  }
  const sorted = (m: Map<string, unknown[]>) => Object.fromEntries([...m].sort(([a], [b]) => Number(a) - Number(b)));

  async function edits(count: number, seed: number) {
    const ids = (await sql(`SELECT id_number FROM residents WHERE grid_code >= ${q(1)} AND grid_code < ${q(2)} AND deregistered_on IS NULL ORDER BY id`, ['500106108', '500106108:'])).map((r) => String(r.id_number));
    const f02 = (await sql(`SELECT id_number FROM residents WHERE living_arrangement IS NOT NULL AND children_count = 0 AND deregistered_on IS NULL ORDER BY id`)).map((r) => String(r.id_number));
    let s = seed;
    const pick = <T>(list: T[]) => list[(s = (s * 1103515245 + 12345) % 2 ** 31) % list.length];
    for (let i = 0; i < count; i++) {
      const id = pick(i % 2 ? ids : f02.length ? f02 : ids);
      const { version } = (await t.gql(`{ resident(idNumber: "${id}") { version } }`)).data.resident;
      const op = i % 5;
      if (op === 3) await t.gql('mutation ($id: String!, $v: Int, $d: String) { deregisterResident(idNumber: $id, reason: "9", effectiveDate: $d, expectedVersion: $v) { id } }', { id, v: version, d: todayIso() });
      else {
        const fields = [{ registrationType: pick(['1', '2']) }, { name: pick(['张三', '李四', '王五']) }, { phone: `139${String(1000 + i)}${pick(['1234', '5678'])}` }, {}, { maritalStatus: pick(['20', '30']) }][op];
        await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', { i: { idNumber: id, expectedVersion: version, ...fields } });
      }
    }
  }

  it('refuses endpoints whose host is not on the allowlist, bad URLs, short secrets and forms the account cannot see', async () => {
    const base = { account: 'minzheng', code: 'F02', secret: SECRETS.minzheng };
    expect(errorCode(await create({ ...base, url: 'http://example.com/hook' }))).toBe('WEBHOOK_HOST_NOT_ALLOWED');
    expect(errorCode(await create({ ...base, url: `http://localhost:${port}/hook` }))).toBe('WEBHOOK_HOST_NOT_ALLOWED');
    expect(errorCode(await create({ ...base, url: `ftp://127.0.0.1:${port}/hook` }))).toBe('WEBHOOK_URL_INVALID');
    expect(errorCode(await create({ ...base, url: `http://user:pw@127.0.0.1:${port}/hook` }))).toBe('WEBHOOK_URL_INVALID');
    expect(errorCode(await create({ ...base, url: `http://127.0.0.1:${port}/hook`, secret: 'short' }))).toBe('WEBHOOK_SECRET_TOO_SHORT');
    expect(errorCode(await create({ ...base, code: 'F07', url: `http://127.0.0.1:${port}/hook` }))).toBe('NOT_FOUND');
    expect(errorCode(await create({ ...base, account: 'nobody', url: `http://127.0.0.1:${port}/hook` }))).toBe('WEBHOOK_ACCOUNT_INVALID');
    const dept = await t.as({ username: 'minzheng', password: DEMO_PASSWORD, role: 'admin' });
    expect(errorCode(await dept.gql(CREATE, { i: { ...base, url: `http://127.0.0.1:${port}/hook` } }))).toBe('FORBIDDEN');
  });

  it('delivers every change in order, signed, masked as the account sees it, through failures, timeouts and two deliverers', async () => {
    const a = await create({ account: 'minzheng', code: 'F02', url: `http://127.0.0.1:${port}/hook`, secret: SECRETS.minzheng, batchSize: 3 });
    const b = await create({ account: 'paichusuo', code: 'F07', orgUnit: STREET, url: `http://127.0.0.1:${port}/hook`, secret: SECRETS.paichusuo, batchSize: 25 });
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    hooks.minzheng = a.data.createWebhook.id;
    hooks.paichusuo = b.data.createWebhook.id;
    expect(a.data.createWebhook).toMatchObject({ account: 'minzheng', orgUnit: DISTRICT, state: 'active' });
    await edits(30, 7);
    await settled([hooks.minzheng, hooks.paichusuo]);

    for (const [name, username, code, org] of [['minzheng', 'minzheng', 'F02', DISTRICT], ['paichusuo', 'paichusuo', 'F07', STREET]] as const) {
      const { copy, cursor } = apply(chain(hooks[name]), null);
      expect(sorted(copy)).toEqual(sorted(await formView(username, code, org)));
      const [{ cursor_seq }] = await sql(`SELECT cursor_seq FROM webhooks WHERE id = ${q(1)}`, [hooks[name]]);
      expect(cursor).toBe(Buffer.from(`feed:${cursor_seq}`).toString('base64url'));
    }
    // Masked for the department without full values: no full ID number in anything it was sent.
    expect(rx.received.filter((r) => r.webhookId === String(hooks.minzheng)).some((r) => /\d{17}[\dX]/.test(r.raw))).toBe(false);
    // The failures happened and were retried: duplicates (late answers) and attempts after refusals.
    const deliveries = [];
    for (const id of [hooks.minzheng, hooks.paichusuo]) {
      deliveries.push(...(await t.gql('query ($id: Int!) { webhookDeliveries(webhookId: $id, first: 500) { deliveryId state attempts lastStatus attemptLog { attempt status error } } }', { id })).data.webhookDeliveries);
    }
    expect(deliveries.every((d: any) => d.state === 'delivered')).toBe(true);
    expect(deliveries.some((d: any) => d.attempts > 1)).toBe(true);
    expect(deliveries.flatMap((d: any) => d.attemptLog).some((l: any) => /超时/.test(l.error ?? ''))).toBe(true);
    expect(deliveries.flatMap((d: any) => d.attemptLog).some((l: any) => l.status === 500)).toBe(true);
    const ids = rx.received.filter((r) => r.path === '/hook').map((r) => r.deliveryId);
    expect(ids.length).toBeGreaterThan(new Set(ids).size);
  }, 240_000);

  it('pauses, resumes and replays from a cursor', async () => {
    const before = rx.received.length;
    await t.gql('mutation ($id: Int!) { pauseWebhook(id: $id) { state } }', { id: hooks.minzheng });
    await t.gql('mutation ($id: Int!) { pauseWebhook(id: $id) { state } }', { id: hooks.paichusuo });
    await edits(6, 11);
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.received.length).toBe(before);
    const resumed = await t.gql('mutation ($id: Int!) { resumeWebhook(id: $id) { state } }', { id: hooks.minzheng });
    expect(resumed.data.resumeWebhook.state).toBe('active');
    await t.gql('mutation ($id: Int!) { resumeWebhook(id: $id) { state } }', { id: hooks.paichusuo });
    await settled([hooks.minzheng, hooks.paichusuo]);
    expect(sorted(apply(chain(hooks.minzheng), null).copy)).toEqual(sorted(await formView('minzheng', 'F02', DISTRICT)));

    // Replay from the start: everything again, under new delivery ids, and the copy built from it alone is the same.
    const seen = new Set(rx.received.map((r) => r.deliveryId));
    const count = rx.received.length;
    const replay = await t.gql('mutation ($id: Int!) { replayWebhook(id: $id) { cursor } }', { id: hooks.paichusuo });
    expect(replay.errors).toBeUndefined();
    await settled([hooks.paichusuo]);
    const again = rx.received.slice(count).filter((r) => r.webhookId === String(hooks.paichusuo) && !seen.has(r.deliveryId));
    const firstOnce = [...new Map(again.map((r) => [r.deliveryId, r.body])).values()];
    expect(firstOnce[0].from).toBe(Buffer.from('feed:0').toString('base64url'));
    expect(sorted(apply(firstOnce, null).copy)).toEqual(sorted(await formView('paichusuo', 'F07', STREET)));
  }, 240_000);

  it('never follows a redirect to a host off the allowlist; secrets are never answered, logged or audited', async () => {
    const res = await create({ account: 'paichusuo', code: 'F07', orgUnit: STREET, url: `http://127.0.0.1:${port}/redirect`, secret: SECRETS.redirect });
    const id = res.data.createWebhook.id;
    const deadline = Date.now() + 30_000;
    let log: any[] = [];
    while (Date.now() < deadline) {
      log = (await t.gql('query ($id: Int!) { webhookDeliveries(webhookId: $id) { state attempts lastError } }', { id })).data.webhookDeliveries;
      if (log[0]?.attempts >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(log[0]).toMatchObject({ state: 'pending' });
    expect(log[0].lastError).toMatch(/不在允许列表/);
    await t.gql('mutation ($id: Int!) { pauseWebhook(id: $id) { state } }', { id });
    // The redirect target (localhost) never got a request from it.
    expect(rx.received.filter((r) => r.webhookId === String(id)).every((r) => r.path === '/redirect')).toBe(true);

    const listed = JSON.stringify((await t.gql('{ webhooks { id account code url state cursor } }')).data);
    const audit = JSON.stringify(await sql('SELECT * FROM audit_log'));
    expect(audit).toMatch(/webhook_create/);
    for (const secret of Object.values(SECRETS)) {
      expect([secret, listed.includes(secret), audit.includes(secret), logged.join('\n').includes(secret)]).toEqual([secret, false, false, false]);
    }
  }, 60_000);
});
