import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { loginAs, postGraphql, type ServerProcess, startServer } from '../support/server-process.js';
import { freshDatabaseEnv, isPostgres } from '../support/test-app.js';

/**
 * Two compiled servers on one PostgreSQL database, as behind a load balancer: whatever one server knows, the other
 * knows too, because it lives in the database — request limits (counted once, not once per server), revoked
 * tokens, import previews, download tickets (the JWT secret is shared), the version check that lets exactly
 * one of several concurrent saves win, and the webhook queue (both servers deliver; each batch goes out once).
 */
const COMMUNITY = '500106108001';
const PASSWORD = 'yibiaotong2026';
const LIMIT = 40;
const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { id version phone } }`;
const STREET = '500106108000';
const DISTRICT = '500106000000';
/** The receiver holds each request this long: two requests in flight at once can only come from two servers. */
const RECEIVER_DELAY_MS = 120;

interface Received {
  webhookId: string;
  deliveryId: string;
  body: any;
}

/** A department's receiver: answers every batch (204) after a short delay, and notes how many were in flight at once. */
function receiver() {
  const received: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      received.push({ webhookId: String(req.headers['x-ybt-webhook-id']), deliveryId: String(req.headers['x-ybt-delivery-id']), body: JSON.parse(raw) });
      setTimeout(() => {
        inFlight--;
        res.writeHead(204).end();
      }, RECEIVER_DELAY_MS);
    });
  });
  return { server, received, maxInFlight: () => maxInFlight };
}

(isPostgres() ? describe : describe.skip)('two servers on one PostgreSQL (PostgreSQL only: a SQLite file belongs to one server)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let db: pg.Client;
  let rx: ReturnType<typeof receiver>;
  let hookUrl = '';

  beforeAll(async () => {
    rx = receiver();
    await new Promise<void>((resolve) => rx.server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(rx.server.address() as AddressInfo).port}/hook`;
    const env: NodeJS.ProcessEnv = {
      ...(await freshDatabaseEnv()), SEED_DEMO: 'true', RATE_LIMIT_PER_MINUTE: String(LIMIT),
      // Both servers deliver webhooks (the queue in the database hands each batch to one of them).
      WEBHOOK_WORKER: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_POLL_MS: '50', WEBHOOK_TIMEOUT_MS: '5000', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_RETRY_MAX_MS: '500',
    };
    a = await startServer(env); // migrates and seeds
    b = await startServer(env);
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await a?.stop();
    await b?.stop();
    rx?.server.closeAllConnections();
    await new Promise((resolve) => rx?.server.close(resolve));
  });

  const get = (server: ServerProcess, path: string, token?: string) => fetch(`${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  it('holds the per-account request limit across both: the sum, not the limit twice', async () => {
    const token = await loginAs(a.url, 'chenjiaqiao', PASSWORD);
    const sent = 60;
    const answers = await Promise.all(Array.from({ length: sent }, (_, i) => postGraphql(i % 2 ? b.url : a.url, '{ me { username } }', {}, token)));
    const passed = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    expect(passed).toHaveLength(LIMIT);
    expect(refused).toHaveLength(sent - LIMIT);
    for (const r of refused) {
      expect(r.body.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    // Both servers answered some of each (the limit is not one server's alone).
    expect(new Set(answers.flatMap((r, i) => (r.status === 200 ? [i % 2] : []))).size).toBe(2);
    const [{ id }] = (await db.query(`SELECT id FROM accounts WHERE username = 'chenjiaqiao'`)).rows;
    expect((await db.query('SELECT hits FROM request_counts WHERE key = $1', [`account:${id}`])).rows).toEqual([{ hits: sent }]);
  });

  it('a token revoked on one server is refused by the other', async () => {
    const admin = await loginAs(a.url, 'admin', PASSWORD);
    const token = await loginAs(b.url, 'canlian', PASSWORD);
    const me = '{ me { username } }';
    expect((await postGraphql(b.url, me, {}, token)).body.data.me.username).toBe('canlian');
    const [account] = (await db.query(`SELECT id, version FROM accounts WHERE username = 'canlian'`)).rows;
    const off = await postGraphql(a.url, 'mutation ($id: Int!, $v: Int!) { updateAccount(id: $id, expectedVersion: $v, input: { active: false }) { active } }', { id: account.id, v: account.version }, admin);
    expect(off.body.errors).toBeUndefined();
    expect(off.body.data.updateAccount.active).toBe(false);
    for (const server of [b, a]) {
      const refused = await postGraphql(server.url, me, {}, token);
      expect(refused.status).toBe(401);
      expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('an import previewed on one server commits on the other', async () => {
    const admin = await loginAs(a.url, 'admin', PASSWORD);
    const exported = await get(a, `/exports/F01?orgUnit=${COMMUNITY}`, admin);
    expect(exported.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await exported.arrayBuffer()) as never);
    const sheet = book.worksheets[0];
    // F01's columns from the left: … 6 公民身份号码 … 10 紧急联系人姓名 (templates/F01.yaml).
    let idNumber = '';
    sheet.eachRow((row) => {
      const id = String(row.getCell(6).value ?? '');
      if (!idNumber && /^\d{17}[\dX]$/.test(id)) {
        idNumber = id;
        row.getCell(10).value = '两服测';
      }
    });
    expect(idNumber).not.toBe('');
    const form = new FormData();
    form.append('form', 'F01');
    form.append('orgUnit', COMMUNITY);
    form.append('file', new Blob([new Uint8Array(await book.xlsx.writeBuffer())]), 'F01.xlsx');
    const upload = await fetch(`${a.url}/imports`, { method: 'POST', headers: { Authorization: `Bearer ${admin}` }, body: form });
    const preview = (await upload.json()) as { id: number; summary: Record<string, number> };
    expect(upload.status).toBe(201);
    // A value the ledger has, changed in the file: a conflict, taken from the file at the commit.
    expect(preview.summary).toMatchObject({ updates: 0, errors: 0, conflicts: 1 });

    const seen = await postGraphql(b.url, `{ importPreview(id: ${preview.id}, kind: "conflict") { total } }`, {}, admin);
    expect(seen.body.data.importPreview.total).toBe(1);
    const commit = await postGraphql(b.url, `mutation { commitImport(id: ${preview.id}, onConflict: "take") { status } }`, {}, admin);
    expect(commit.body.errors).toBeUndefined();
    expect(commit.body.data.commitImport.status).toBe('committed');
    expect((await db.query('SELECT emergency_contact_name FROM residents WHERE id_number = $1', [idNumber])).rows[0].emergency_contact_name).toBe('两服测');
    const again = await postGraphql(a.url, `mutation { commitImport(id: ${preview.id}) { status } }`, {}, admin);
    expect(again.body.errors[0].extensions.fieldErrors[0].code).toBe('ALREADY_COMMITTED');
  });

  it('a download ticket from one server works on the other', async () => {
    const token = await loginAs(a.url, 'qiaobei', PASSWORD);
    const link = await postGraphql(a.url, `mutation { exportForm(code: "F01", orgUnit: "${COMMUNITY}") { url rows } }`, {}, token);
    expect(link.body.errors).toBeUndefined();
    const { url, rows } = link.body.data.exportForm;
    const file = await get(b, url);
    expect(file.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await file.arrayBuffer()) as never);
    let dataRows = 0;
    book.worksheets[0].eachRow((row) => void (/^\d{6}/.test(String(row.getCell(6).value ?? '')) && dataRows++));
    expect(dataRows).toBe(rows);
    // The ticket is for that URL only, on either server.
    expect((await get(b, url.replace('F01', 'F02'))).status).toBe(401);
  });

  it('concurrent saves through both servers: exactly one wins, the rest get CONFLICT', async () => {
    const admin = await loginAs(b.url, 'admin', PASSWORD);
    const [resident] = (await db.query(`SELECT id_number, version FROM residents WHERE grid_code LIKE '${COMMUNITY}%' AND deregistered_on IS NULL ORDER BY id LIMIT 1`)).rows;
    const phones = Array.from({ length: 6 }, (_, i) => `1391234560${i}`);
    const results = await Promise.all(phones.map((phone, i) => postGraphql(i % 2 ? b.url : a.url, UPSERT, { input: { idNumber: resident.id_number, expectedVersion: resident.version, phone } }, admin)));
    const winners = results.filter((r) => !r.body.errors);
    const losers = results.filter((r) => r.body.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(phones.length - 1);
    for (const l of losers) expect(l.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: resident.version + 1, expectedVersion: resident.version });
    const [row] = (await db.query('SELECT phone, version FROM residents WHERE id_number = $1', [resident.id_number])).rows;
    expect(row).toEqual({ phone: winners[0].body.data.upsertResident.phone, version: resident.version + 1 });
  });

  it('webhooks: both servers deliver, each batch exactly once (by delivery id), in order, none lost', async () => {
    const admin = await loginAs(a.url, 'admin', PASSWORD);
    const create = (input: Record<string, unknown>) => postGraphql(a.url, 'mutation ($i: WebhookInput!) { createWebhook(input: $i) { id } }', { i: input }, admin);
    const hooks = {
      F02: (await create({ account: 'minzheng', code: 'F02', url: hookUrl, secret: 'two-servers-secret-F02-0123456789', batchSize: 2 })).body.data.createWebhook.id as number,
      F07: (await create({ account: 'paichusuo', code: 'F07', orgUnit: STREET, url: hookUrl, secret: 'two-servers-secret-F07-0123456789', batchSize: 5 })).body.data.createWebhook.id as number,
    };
    // Edits through both servers, alternately, as the community's worker: names and phones (changed rows), marriages
    // (rows leaving and entering F02), floating residents registered as locals (rows leaving F07).
    const worker = await loginAs(b.url, 'qiaobei', PASSWORD);
    const inCommunity = `grid_code >= '${COMMUNITY}' AND grid_code < '${COMMUNITY}:' AND deregistered_on IS NULL`;
    const f02 = (await db.query(`SELECT id_number FROM residents WHERE ${inCommunity} AND marital_status IN ('10', '30', '40') AND children_count = 0
      AND substr(id_number, 7, 8) <= to_char(current_date - interval '60 years', 'YYYYMMDD') ORDER BY id LIMIT 2`)).rows;
    const f07 = (await db.query(`SELECT id_number FROM residents WHERE ${inCommunity} AND registration_type = '2' ORDER BY id LIMIT 6`)).rows;
    expect([f02.length, f07.length]).toEqual([2, 6]);
    const edits: [string, Record<string, unknown>][] = [
      ...f02.map((r, i): [string, Record<string, unknown>] => [r.id_number, i % 2 ? { maritalStatus: '20' } : { name: `两服孤寡${i}` }]),
      ...f07.map((r, i): [string, Record<string, unknown>] => [r.id_number, i % 3 === 0 ? { registrationType: '1' } : { phone: `1380000000${i}` }]),
      [f02[1].id_number, { maritalStatus: '30' }], // back into F02
      [f07[1].id_number, { name: '两服流动' }],
    ];
    for (const [i, [idNumber, change]] of edits.entries()) {
      const [{ version }] = (await db.query('SELECT version FROM residents WHERE id_number = $1', [idNumber])).rows;
      const saved = await postGraphql(i % 2 ? a.url : b.url, UPSERT, { input: { idNumber, expectedVersion: version, ...change } }, worker);
      expect([idNumber, saved.body.errors]).toEqual([idNumber, undefined]);
    }

    // Settled: every webhook has looked at the log to its end, and nothing is waiting.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [{ head }] = (await db.query('SELECT MAX(seq) AS head FROM feed_changes')).rows;
      const scanned = (await db.query('SELECT scan_seq FROM webhooks')).rows;
      const [{ pending }] = (await db.query(`SELECT COUNT(*)::int AS pending FROM webhook_deliveries WHERE state = 'pending'`)).rows;
      if (pending === 0 && scanned.every((w) => Number(w.scan_seq) === Number(head))) break;
      if (Date.now() > deadline) throw new Error(`推送未追上：head ${head}，${JSON.stringify(scanned)}，待投递 ${pending}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Two requests were in flight at once: each server delivers one batch at a time, so both servers delivered.
    expect(rx.maxInFlight()).toBeGreaterThanOrEqual(2);
    const pulls = { F02: ['minzheng', DISTRICT], F07: ['paichusuo', STREET] } as const;
    for (const [code, id] of Object.entries(hooks) as [keyof typeof hooks, number][]) {
      const mine = rx.received.filter((r) => r.webhookId === String(id));
      // Exactly once: no delivery id twice, and every batch the queue holds arrived, delivered on its first attempt.
      const ids = mine.map((r) => r.deliveryId);
      expect(new Set(ids).size).toBe(ids.length);
      const queued = (await db.query('SELECT delivery_id, state, attempts, from_seq, to_seq FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id', [id])).rows;
      expect(queued.map((d) => [d.state, d.attempts])).toEqual(queued.map(() => ['delivered', 1]));
      expect(ids).toEqual(queued.map((d) => d.delivery_id));
      // In order, none lost: each batch starts where the one before ended, the first at the start of the feed, and
      // the batches applied in turn give the department's form as it pulls it now.
      const cursor = (seq: unknown) => Buffer.from(`feed:${seq}`).toString('base64url');
      expect(mine.map((r) => [r.body.from, r.body.cursor])).toEqual(queued.map((d) => [cursor(d.from_seq), cursor(d.to_seq)]));
      let from = cursor(0);
      const copy = new Map<string, unknown[]>();
      for (const { body } of mine) {
        expect(body.from).toBe(from);
        from = body.cursor;
        for (const c of body.changes) {
          expect([c.key, c.kind, copy.has(c.key)]).toEqual([c.key, c.kind, c.kind !== 'ENTERED']);
          if (c.kind === 'LEFT') copy.delete(c.key);
          else copy.set(c.key, c.row);
        }
      }
      const [username, org] = pulls[code];
      const token = await loginAs(b.url, username, PASSWORD);
      const view = new Map<string, unknown[]>();
      for (let after: string | null = null; ;) {
        const res = await postGraphql(b.url, 'query ($c: String!, $o: String!, $a: String) { formView(code: $c, orgUnit: $o, first: 500, after: $a) { columns { key } rows keys pageInfo { hasNextPage endCursor } } }', { c: code, o: org, a: after }, token);
        expect(res.body.errors).toBeUndefined();
        const v = res.body.data.formView;
        const keep = v.columns.map((c: { key: string }, i: number) => (c.key === 'rowNumber' ? -1 : i)).filter((i: number) => i >= 0);
        v.rows.forEach((row: unknown[], i: number) => view.set(v.keys[i], keep.map((k: number) => row[k])));
        if (!v.pageInfo.hasNextPage) break;
        after = v.pageInfo.endCursor;
      }
      const sorted = (m: Map<string, unknown[]>) => Object.fromEntries([...m].sort(([x], [y]) => Number(x) - Number(y)));
      expect(sorted(copy)).toEqual(sorted(view));
    }
    // The edits reached both departments: rows left F02 and F07, and changed.
    const kinds = (id: number) => new Set(rx.received.filter((r) => r.webhookId === String(id)).flatMap((r) => r.body.changes.map((c: { kind: string }) => c.kind)));
    expect([...kinds(hooks.F02)].sort()).toEqual(['CHANGED', 'ENTERED', 'LEFT']);
    expect([...kinds(hooks.F07)].sort()).toEqual(['CHANGED', 'ENTERED', 'LEFT']);
  }, 180_000);
});
