import ExcelJS from 'exceljs';
import request from 'supertest';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { DEMO_PASSWORD } from '../../src/seed/demo-accounts.js';
import { idNumber } from '../support/fixtures.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const COMMUNITY = '500106108001';

describe(`audit log and masking (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const token: Record<string, string> = {};
  const gqlAs = (user: string, query: string, variables?: object, headers: Record<string, string> = {}) =>
    request(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${token[user]}`, ...headers }).send({ query, variables });
  const auditLog = async (args: string) => (await t.gql(`{ auditLog(${args}) { id at username role source requestId action entity recordId changes { field label before after } filter rowCount } }`)).data.auditLog;

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    for (const user of ['qiaobei', 'minzheng', 'paichusuo']) token[user] = (await t.login(user, DEMO_PASSWORD)).token!;
  });
  afterAll(() => t.close());

  it('writes who, when, from where, the request id and every field before and after, with the change', async () => {
    const [r] = await t.dataSource.query(`SELECT id, id_number, phone, version FROM residents WHERE grid_code LIKE '${COMMUNITY}%' AND phone IS NOT NULL ORDER BY id LIMIT 1`);
    const res = await gqlAs('qiaobei', 'mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { version } }',
      { i: { idNumber: r.id_number, expectedVersion: Number(r.version), phone: '13912345678', remarks: '已核实' } }, { 'X-Ybt-Source': 'form', 'X-Request-Id': 'req-audit-0001' });
    expect(res.body.errors).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('req-audit-0001');
    const [entry] = await auditLog(`entity: "resident", recordId: ${r.id}`);
    expect(entry).toMatchObject({ username: 'qiaobei', role: 'community_staff', source: 'form', requestId: 'req-audit-0001', action: 'update', entity: 'resident' });
    expect(entry.changes).toEqual(expect.arrayContaining([
      { field: 'phone', label: '联系电话', before: r.phone, after: '13912345678' },
      { field: 'remarks', label: '备注', before: null, after: '已核实' },
    ]));
    expect(entry.changes).toHaveLength(2);
    // residentHistory: the same, for someone of the area; masked for an account not entitled to full values.
    const history = (await gqlAs('qiaobei', `{ residentHistory(idNumber: "${r.id_number}") { action source changes { field before after } } }`)).body.data.residentHistory;
    expect(history[0].changes).toEqual(expect.arrayContaining([{ field: 'phone', before: r.phone, after: '13912345678' }]));
    const masked = await t.as({ username: 'qiaobei-masked', role: 'community_staff', orgUnitCode: COMMUNITY, fullValues: false });
    const maskedHistory = (await masked.gql(`{ residentHistory(idNumber: "${r.id_number}") { changes { field before after } } }`)).data.residentHistory;
    expect(maskedHistory[0].changes).toEqual(expect.arrayContaining([{ field: 'phone', before: `${r.phone.slice(0, 3)}****${r.phone.slice(-4)}`, after: '139****5678' }]));
  });

  it('writes nothing when the change is refused (a stale version), and a new resident is a create with every field', async () => {
    const [r] = await t.dataSource.query(`SELECT id, id_number FROM residents WHERE grid_code LIKE '${COMMUNITY}%' ORDER BY id LIMIT 1 OFFSET 5`);
    const changes = async () => (await auditLog(`entity: "resident", recordId: ${r.id}`)).filter((e: { action: string }) => e.action !== 'reveal').length;
    const before = await changes();
    const stale = await gqlAs('qiaobei', `mutation { upsertResident(input: { idNumber: "${r.id_number}", expectedVersion: 999, remarks: "x" }) { id } }`);
    expect(stale.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(await changes()).toBe(before);
    // The conflict showed the editor the current values in full: that reveal is on record.
    expect((await auditLog(`entity: "resident", recordId: ${r.id}`))[0]).toMatchObject({ action: 'reveal', username: 'qiaobei' });
    const created = await gqlAs('qiaobei', `mutation { upsertResident(input: { idNumber: "${idNumber('110101', '19900307', 281)}", gridCode: "500106108001002", name: "新居民", currentAddress: "桥北路88号" }) { id } }`);
    const [entry] = await auditLog(`entity: "resident", recordId: ${created.body.data.upsertResident.id}`);
    expect(entry).toMatchObject({ action: 'create', source: 'api' });
    expect(entry.changes).toEqual(expect.arrayContaining([{ field: 'name', label: '姓名', before: null, after: '新居民' }, expect.objectContaining({ field: 'gridCode', after: '500106108001002' })]));
  });

  it('cannot be changed or deleted, even with SQL', async () => {
    const write = (sql: string) => t.app.get(UnitOfWork).run((m) => m.query(sql));
    // SQLite's triggers refuse; on PostgreSQL the app's role lacks the privilege (the triggers stop the owner).
    const refused = isPostgres() && process.env.DATABASE_OWNER_URL ? /permission denied/ : /只能追加/;
    await expect(write("UPDATE audit_log SET username = 'someone'")).rejects.toThrow(refused);
    await expect(write('DELETE FROM audit_log')).rejects.toThrow(refused);
    if (isPostgres()) await expect(write('TRUNCATE audit_log')).rejects.toThrow(refused);
  });

  it('audits every reveal of full values: a view, the ledger; masked answers reveal nothing', async () => {
    const view = await gqlAs('paichusuo', `{ formView(code: "F03", orgUnit: "${COMMUNITY}") { rows totalCount } }`); // 派出所: entitled
    expect(view.body.errors).toBeUndefined();
    expect(JSON.stringify(view.body.data.formView.rows)).toMatch(/"\d{17}[\dX]"/);
    const [reveal] = await auditLog('action: "reveal", first: 1');
    expect(reveal).toMatchObject({ username: 'paichusuo', entity: 'F03', rowCount: view.body.data.formView.rows.length });
    expect(reveal.filter).toMatchObject({ code: 'F03', orgUnit: COMMUNITY, columns: expect.arrayContaining(['idNumber']) });

    const masked = await gqlAs('minzheng', `{ formView(code: "F01", orgUnit: "${COMMUNITY}") { rows } }`);
    expect(JSON.stringify(masked.body.data.formView.rows)).not.toMatch(/"\d{17}[\dX]"/);
    expect(JSON.stringify(masked.body.data.formView.rows)).toMatch(/"\d{6}\*{8}[\dX]{4}"/);
    expect((await auditLog('action: "reveal", first: 1'))[0].id).toBe(reveal.id);

    const [r] = await t.dataSource.query(`SELECT id_number FROM residents WHERE grid_code LIKE '${COMMUNITY}%' AND phone IS NOT NULL LIMIT 1`);
    await gqlAs('qiaobei', `query Lookup { resident(idNumber: "${r.id_number}") { name idNumber phone household { members { idNumber } } } }`);
    const [ledger] = await auditLog('action: "reveal", first: 1');
    expect(ledger).toMatchObject({ username: 'qiaobei', rowCount: expect.any(Number) });
    expect(ledger.filter).toMatchObject({ operation: 'Lookup', fields: expect.objectContaining({ idNumber: expect.any(Number), phone: 1 }) });
    expect(JSON.stringify(ledger.filter)).not.toContain(r.id_number);
  });

  it('audits every export, and a department not entitled to full values exports them masked', async () => {
    const res = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${COMMUNITY}`).set({ Authorization: `Bearer ${token.minzheng}` }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    const ids: unknown[] = [];
    wb.worksheets[0].getColumn(6).eachCell((cell, row) => row > 4 && ids.push(cell.value));
    expect(ids.filter((v) => typeof v === 'string' && /^\d{6}\*{8}[\dX]{4}$/.test(v)).length).toBeGreaterThan(0);
    expect(ids.some((v) => typeof v === 'string' && /^\d{17}[\dX]$/.test(v))).toBe(false);
    const [entry] = await auditLog('action: "export", first: 1');
    expect(entry).toMatchObject({ username: 'minzheng', role: 'department', entity: 'F01', filter: expect.objectContaining({ code: 'F01', orgUnit: COMMUNITY, fullValues: false }) });
    expect(entry.rowCount).toBeGreaterThan(0);
  });

  it('audits logins, and only administrators read the log', async () => {
    await t.login('qiaobei', 'not-the-password-1');
    const failed = await auditLog('action: "login_failed", first: 1');
    expect(failed[0]).toMatchObject({ username: 'qiaobei', action: 'login_failed' });
    expect((await auditLog('action: "login"')).some((e: { username: string }) => e.username === 'paichusuo')).toBe(true);
    const refused = await gqlAs('qiaobei', '{ auditLog { id } }');
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
