import { createHash } from 'node:crypto';
import request from 'supertest';
import { idCheckCharacter } from '../../src/identity/index.js';
import { DEMO_PASSWORD } from '../../src/seed/demo-accounts.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

// Issue 13, points 5–7: search limits and wildcards, audited out-of-area lookups, export hashes and reasons.
const QIAOBEI = '500106108001'; // 桥北社区 (qiaobei)
const QIAOBEI_GRID = '500106108001001';
const TUQIAO = '500113005001'; // 土桥正街社区 (tuqiao), another district

type Gql = TestApp['gql'];
const binary = (res: any, done: (e: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe(`search limits and the audit of refusals (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const as: Record<string, { gql: Gql; auth: { Authorization: string } }> = {};
  let foreign: { id: number; id_number: string; household_id: number };
  const auditLog = async (args: string) => (await t.gql(`{ auditLog(${args}) { id username role action entity recordId filter rowCount } }`)).data.auditLog;
  const search = (text: string, org = QIAOBEI) => as.qiaobei.gql('query ($org: String!, $text: String!) { searchResidents(orgUnit: $org, text: $text) { idNumber name } }', { org, text });

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    for (const user of ['qiaobei', 'tuqiao', 'paichusuo']) {
      const { token } = await t.login(user, DEMO_PASSWORD);
      const auth = { Authorization: `Bearer ${token}` };
      as[user] = { auth, gql: (q, v) => request(t.app.getHttpServer()).post('/graphql').set(auth).send({ query: q, variables: v }).then((r) => r.body) };
    }
    [foreign] = await t.dataSource.query(`SELECT id, id_number, household_id FROM residents WHERE grid_code LIKE '${TUQIAO}%' AND household_id IS NOT NULL ORDER BY id LIMIT 1`);
    foreign.id = Number(foreign.id);
    foreign.household_id = Number(foreign.household_id);
  });
  afterAll(() => t.close());

  describe('searchResidents', () => {
    it('matches % and _ literally: they no longer match everyone', async () => {
      for (const text of ['%%', '__', '%_', '\\%', '张%']) {
        const res = await search(text);
        expect([text, res.errors, res.data.searchResidents]).toEqual([text, undefined, []]);
      }
    });

    it('still finds by two characters of a name, by the last digits and by the whole ID number', async () => {
      const [someone] = await t.dataSource.query(`SELECT name, id_number FROM residents WHERE grid_code LIKE '${QIAOBEI}%' ORDER BY id LIMIT 1`);
      const name = Array.from(someone.name as string).slice(0, 2).join('');
      expect((await search(name)).data.searchResidents.map((r: { name: string }) => r.name)).toContain(someone.name);
      expect((await search(someone.id_number.slice(-6))).data.searchResidents.length).toBeGreaterThan(0);
      expect((await search(` ${someone.id_number.toLowerCase()} `)).data.searchResidents).toHaveLength(1);
    });

    it('refuses empty, one-character, over-long and 300,000-character texts with a field error', async () => {
      const cases: [string, string][] = [['', 'TOO_SHORT'], ['   ', 'TOO_SHORT'], ['张', 'TOO_SHORT'], ['%', 'TOO_SHORT'], ['7', 'TOO_SHORT'], ['张'.repeat(51), 'TOO_LONG'], ['%'.repeat(300_000), 'TOO_LONG']];
      for (const [text, code] of cases) {
        const res = await search(text);
        expect([text.slice(0, 10), res.errors?.[0].extensions.code, res.errors?.[0].extensions.fieldErrors]).toEqual([text.slice(0, 10), 'VALIDATION_FAILED', [expect.objectContaining({ path: ['text'], code })]]);
      }
      expect((await search('张'.repeat(50))).errors).toBeUndefined();
    });
  });

  describe('out-of-area lookups of existing records', () => {
    const absent = () => { const first17 = '11010119000101000'; return first17 + idCheckCharacter(first17); };
    const lastDenied = async () => (await auditLog('action: "denied_lookup", first: 1'))[0];

    it('answer exactly NOT_FOUND and leave a denied_lookup line naming who asked for which record', async () => {
      const queries: [string, string][] = [
        ['query ($id: String!) { resident(idNumber: $id) { name } }', 'resident'],
        ['query ($id: String!) { residentHistory(idNumber: $id) { action } }', 'resident'],
        ['query ($id: String!) { residentForms(idNumber: $id) { code } }', 'resident'],
      ];
      for (const [q, entity] of queries) {
        const before = (await lastDenied())?.id ?? 0;
        const missing = await as.qiaobei.gql(q, { id: absent() });
        expect((await lastDenied())?.id ?? 0).toBe(before); // a missing record is not a denied lookup
        const denied = await as.qiaobei.gql(q, { id: foreign.id_number });
        expect(denied.errors.map(({ message, extensions }: any) => ({ message, extensions }))).toEqual(missing.errors.map(({ message, extensions }: any) => ({ message, extensions })));
        expect(denied.errors[0].extensions).toEqual({ code: 'NOT_FOUND' });
        expect(await lastDenied()).toMatchObject({ username: 'qiaobei', role: 'community_staff', action: 'denied_lookup', entity, recordId: foreign.id });
      }
    });

    it('covers a household by id, a business changed by id (the transaction rolls back, the audit line stays) and a report by id', async () => {
      const household = await as.qiaobei.gql(`{ household(id: ${foreign.household_id}) { id } }`);
      expect(household.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(await lastDenied()).toMatchObject({ username: 'qiaobei', entity: 'household', recordId: foreign.household_id });

      const [business] = await t.dataSource.query(`SELECT id, version FROM businesses WHERE grid_code LIKE '${TUQIAO}%' ORDER BY id LIMIT 1`);
      const changed = await as.qiaobei.gql(`mutation { upsertBusiness(input: { id: ${business.id}, expectedVersion: ${business.version}, businessName: "改名" }) { id } }`);
      expect(changed.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(await lastDenied()).toMatchObject({ username: 'qiaobei', entity: 'business', recordId: Number(business.id) });
      const [after] = await t.dataSource.query(`SELECT version FROM businesses WHERE id = ${Number(business.id)}`);
      expect(Number(after.version)).toBe(Number(business.version));

      const submitted = await as.tuqiao.gql(`mutation { submitReport(code: "F01", orgUnit: "${TUQIAO}", period: "2026-10") { id } }`);
      const id = submitted.data.submitReport.id;
      const report = await as.qiaobei.gql(`{ report(id: ${id}) { id } }`);
      const none = await as.qiaobei.gql(`{ report(id: 999999) { id } }`);
      expect(report.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(report.errors[0].message).toBe(none.errors[0].message.replace('999999', String(id)));
      expect(await lastDenied()).toMatchObject({ username: 'qiaobei', entity: 'report', recordId: Number(id) });
    });
  });

  it('registering an ID number on the ledger elsewhere answers DUPLICATE and is audited as duplicate_elsewhere', async () => {
    const res = await as.qiaobei.gql(`mutation ($id: String!) { upsertResident(input: { idNumber: $id, gridCode: "${QIAOBEI_GRID}", name: "测试", currentAddress: "桥北路1号" }) { id } }`, { id: foreign.id_number });
    expect(res.errors[0].extensions).toEqual({ code: 'DUPLICATE', path: ['input', 'idNumber'] });
    const [entry] = await auditLog('action: "duplicate_elsewhere", first: 1');
    expect(entry).toMatchObject({ username: 'qiaobei', entity: 'resident', recordId: foreign.id });
  });

  describe('exports', () => {
    it('audit the SHA-256 and size of the file as sent, its row count and filter (xlsx and CSV)', async () => {
      for (const format of ['xlsx', 'csv']) {
        const res = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${QIAOBEI}&format=${format}`).set(as.qiaobei.auth).buffer(true).parse(binary);
        expect(res.status).toBe(200);
        const [entry] = await auditLog('action: "export", first: 1');
        expect(entry).toMatchObject({ username: 'qiaobei', entity: 'F01', filter: expect.objectContaining({ code: 'F01', orgUnit: QIAOBEI, format, sha256: sha256(res.body), bytes: res.body.length, reason: null }) });
        expect(entry.rowCount).toBeGreaterThan(0);
      }
    });

    it('with full values by entitlement (a department account) require a reason, stored in the audit line', async () => {
      const server = t.app.getHttpServer();
      const refused = await request(server).get('/exports/F03?orgUnit=500106108000').set(as.paichusuo.auth);
      expect([refused.status, refused.body.code]).toEqual([400, 'REASON_REQUIRED']);
      const blank = await as.paichusuo.gql('mutation { exportForm(code: "F03", orgUnit: "500106108000", reason: "  ") { url } }');
      expect(blank.errors[0].extensions.code).toBe('REASON_REQUIRED');
      const link = (await as.paichusuo.gql('mutation { exportForm(code: "F03", orgUnit: "500106108000", reason: "核查走失人员 110101190001010000") { url } }')).data.exportForm;
      const res = await request(server).get(link.url).buffer(true).parse(binary);
      expect(res.status).toBe(200);
      const [entry] = await auditLog('action: "export", first: 1');
      expect(entry).toMatchObject({ username: 'paichusuo', filter: expect.objectContaining({ fullValues: true, reason: '核查走失人员 110101********0000', sha256: sha256(res.body) }) });
    });
  });
});
