import ExcelJS from 'exceljs';
import pg from 'pg';
import { loginAs, postGraphql, type ServerProcess, startServer } from '../support/server-process.js';
import { freshDatabaseEnv, isPostgres } from '../support/test-app.js';

/**
 * Two compiled servers on one PostgreSQL database, as behind a load balancer: whatever one server knows, the other
 * knows too, because it lives in the database — request limits (counted once, not once per server), revoked
 * tokens, import previews, download tickets (the JWT secret is shared), and the version check that lets exactly
 * one of several concurrent saves win.
 */
const COMMUNITY = '500106108001';
const PASSWORD = 'yibiaotong2026';
const LIMIT = 40;
const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { id version phone } }`;

(isPostgres() ? describe : describe.skip)('two servers on one PostgreSQL (PostgreSQL only: a SQLite file belongs to one server)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let db: pg.Client;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...(await freshDatabaseEnv()), SEED_DEMO: 'true', RATE_LIMIT_PER_MINUTE: String(LIMIT) };
    a = await startServer(env); // migrates and seeds
    b = await startServer(env);
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await a?.stop();
    await b?.stop();
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
});
