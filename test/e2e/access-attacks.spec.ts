import request from 'supertest';
import { SignJWT } from 'jose';
import { idCheckCharacter } from '../../src/identity/index.js';
import { DEMO_PASSWORD } from '../../src/seed/demo-accounts.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

// Each test is an attack on the demo data, as one of the demo accounts; each must be refused or come back clean.
const QIAOBEI = '500106108001'; // 桥北社区 (account qiaobei)
const TUQIAO = '500113005001'; // 土桥正街社区 (account tuqiao), another district

type Gql = TestApp['gql'];

describe(`access: attacks from logged-in users (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const as: Record<string, { gql: Gql; auth: { Authorization: string }; token: string }> = {};
  let foreignIds: string[];
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    for (const user of ['qiaobei', 'chenjiaqiao', 'minzheng', 'xiaxue']) {
      const { token } = await t.login(user, DEMO_PASSWORD);
      expect(token).toBeDefined();
      const auth = { Authorization: `Bearer ${token}` };
      as[user] = { token: token!, auth, gql: (q, v) => request(t.app.getHttpServer()).post('/graphql').set(auth).send({ query: q, variables: v }).then((r) => r.body) };
    }
    const rows: { id_number: string }[] = await t.dataSource.query(`SELECT id_number FROM residents WHERE grid_code LIKE '${TUQIAO}%' ORDER BY id`);
    foreignIds = rows.map((r) => r.id_number);
  });
  afterAll(() => t.close());

  it('community A reading a community-B resident by ID gets exactly what a non-existent ID gets', async () => {
    const nobody = '110101190001010000'.slice(0, 17);
    const absent = nobody + idCheckCharacter(nobody);
    const q = 'query ($id: String!) { resident(idNumber: $id) { name phone } }';
    const foreign = await as.qiaobei.gql(q, { id: foreignIds[0] });
    const missing = await as.qiaobei.gql(q, { id: absent });
    expect(foreign.data).toBeNull();
    expect(foreign.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(JSON.stringify(foreign.errors.map(({ message, extensions }: any) => ({ message, extensions })))).toBe(
      JSON.stringify(missing.errors.map(({ message, extensions }: any) => ({ message, extensions }))),
    );
    // The resident is there, for someone whose area it is.
    expect((await t.gql(q, { id: foreignIds[0] })).data.resident.name).toBeTruthy();
  });

  it('community A guessing 1,000 ID numbers (every real one of community B among them) learns nothing', async () => {
    const guesses = [...foreignIds];
    for (let i = 0; guesses.length < 1000; i++) {
      const first17 = `500113${1940 + (i % 60)}0${1 + (i % 9)}${String(10 + (i % 18)).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
      guesses.push(first17 + idCheckCharacter(first17));
    }
    expect(guesses.length).toBe(1000);
    const answers = new Set<string>();
    for (let start = 0; start < guesses.length; start += 20) {
      const batch = guesses.slice(start, start + 20).map((id) => as.qiaobei.gql('query ($id: String!) { resident(idNumber: $id) { name idNumber phone } }', { id }));
      for (const res of await Promise.all(batch)) {
        expect(res.data).toBeNull();
        expect(res.errors).toHaveLength(1);
        answers.add(JSON.stringify({ message: res.errors[0].message, extensions: res.errors[0].extensions }));
      }
    }
    expect([...answers]).toEqual([JSON.stringify({ message: '未找到该公民身份号码的居民', extensions: { code: 'NOT_FOUND' } })]);
  });

  it('a street office exporting another street gets 404, by URL, by mutation, and for "all"', async () => {
    const server = t.app.getHttpServer();
    for (const url of ['/exports/F01?orgUnit=500106109000', '/exports/F01?orgUnit=500106109001', '/exports/all?orgUnit=500106109001', '/exports/F09?orgUnit=500113005000']) {
      const res = await request(server).get(url).set(as.chenjiaqiao.auth);
      expect([url, res.status, res.body.code]).toEqual([url, 404, 'NOT_FOUND']);
    }
    const mutation = await as.chenjiaqiao.gql('mutation { exportForm(code: "F01", orgUnit: "500106109000") { url } }');
    expect(mutation.errors[0].extensions.code).toBe('NOT_FOUND');
    const own = await request(server).get('/exports/F01?orgUnit=500106108000').set(as.chenjiaqiao.auth);
    expect(own.status).toBe(200);
  });

  it('a department gets only the forms naming it: another form, a column outside them and the ledger are refused', async () => {
    const templates = (await as.minzheng.gql('{ templates { code } }')).data.templates.map((x: { code: string }) => x.code);
    expect(templates).toEqual(['F01', 'F02', 'F03', 'V01']);
    const foreign = await as.minzheng.gql(`{ formView(code: "F05", orgUnit: "${QIAOBEI}") { rows } }`);
    const unknown = await as.minzheng.gql(`{ formView(code: "F99", orgUnit: "${QIAOBEI}") { rows } }`);
    expect(foreign.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(foreign.errors[0].message).toBe(unknown.errors[0].message.replace('F99', 'F05'));
    const typed = await as.minzheng.gql(`{ disabledPersons(orgUnit: "${QIAOBEI}") { rows { idNumber disabilityCertificateNumber } } }`);
    expect(typed.data).toBeNull();
    expect(typed.errors[0].extensions.code).toBe('NOT_FOUND');
    // A column that is not on F01 does not exist on its row type.
    const column = await as.minzheng.gql(`{ elderlyLivingAlone(orgUnit: "${QIAOBEI}") { rows { name disabilityCategory } } }`);
    expect(column.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // Its own form comes back, with ID and phone numbers masked.
    const own = (await as.minzheng.gql(`{ elderlyLivingAlone(orgUnit: "${QIAOBEI}", first: 5) { rows { idNumber phone } } }`)).data.elderlyLivingAlone.rows;
    expect(own.length).toBeGreaterThan(0);
    for (const row of own) expect(row.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    const recipients = (await as.minzheng.gql(`{ assistanceRecipients(orgUnit: "${QIAOBEI}", first: 5) { rows { idNumber phone householdSize } } }`)).data.assistanceRecipients.rows;
    expect(recipients.length).toBeGreaterThan(0);
    for (const row of recipients) expect(row.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    // Reaching residents through the ledger or a relation.
    for (const q of [`{ resident(idNumber: "${foreignIds[0]}") { name } }`, `{ businesses(gridCode: "${QIAOBEI}001") { operator { idNumber healthStatus } } }`,
      `{ households(gridCode: "${QIAOBEI}001") { members { name idNumber } } }`, `{ oneForm { sections { label } } }`]) {
      const res = await as.minzheng.gql(q);
      expect([q, res.data, res.errors[0].extensions.code]).toEqual([q, null, 'FORBIDDEN']);
    }
  });

  it('a relation does not lead out of the area: a business operated by a resident of another district shows no operator', async () => {
    const grids: { grid_code: string }[] = await t.dataSource.query(`SELECT grid_code FROM businesses WHERE grid_code LIKE '${QIAOBEI}%' GROUP BY grid_code ORDER BY grid_code`);
    expect(grids.length).toBeGreaterThanOrEqual(2);
    const [grid, grid2] = grids.map((g) => g.grid_code);
    const [b] = (await t.gql(`{ businesses(gridCode: "${grid}") { id version } }`)).data.businesses;
    const moved = await t.gql('mutation ($i: UpsertBusinessInput!) { upsertBusiness(input: $i) { operator { idNumber } } }', { i: { id: b.id, expectedVersion: b.version, operator: foreignIds[1] } });
    expect(moved.data.upsertBusiness.operator.idNumber).toBe(foreignIds[1]);
    const seen = await as.qiaobei.gql(`{ businesses(gridCode: "${grid}") { id operator { name idNumber } } }`);
    expect(seen.errors).toBeUndefined();
    expect(seen.data.businesses.find((x: { id: number }) => x.id === b.id).operator).toBeNull();
    expect(JSON.stringify(seen)).not.toContain(foreignIds[1]);
    // Nor can community A point its own records at B's resident.
    const [b2] = (await as.qiaobei.gql(`{ businesses(gridCode: "${grid2}") { id version } }`)).data.businesses;
    const point = await as.qiaobei.gql('mutation ($i: UpsertBusinessInput!) { upsertBusiness(input: $i) { id } }', { i: { id: b2.id, expectedVersion: b2.version, operator: foreignIds[2] } });
    expect(point.errors[0].extensions.fieldErrors[0]).toMatchObject({ path: ['input', 'operator'], code: 'UNKNOWN_RESIDENT' });
  });

  it('a grid worker reaches only their own grid', async () => {
    const other = (await t.dataSource.query(`SELECT id_number FROM residents WHERE grid_code = '${QIAOBEI}002' ORDER BY id LIMIT 1`))[0].id_number;
    const res = await as.xiaxue.gql(`{ resident(idNumber: "${other}") { name } }`);
    expect(res.errors[0].extensions.code).toBe('NOT_FOUND');
    const move = await as.xiaxue.gql(`{ households(gridCode: "${QIAOBEI}002") { id } }`);
    expect(move.errors[0].extensions.code).toBe('NOT_FOUND');
    const units = (await as.xiaxue.gql(`{ orgUnits(parentCode: "${QIAOBEI}") { code } }`)).data.orgUnits.map((u: { code: string }) => u.code);
    expect(units).toEqual([`${QIAOBEI}001`]);
  });

  it('a read-only department token sending mutations is refused and nothing is written', async () => {
    const [{ n: before }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM residents');
    const attempts = [
      'mutation { upsertResident(input: { idNumber: "11010119900101003X", gridCode: "500106108001001", name: "冒名", currentAddress: "桥北路1号" }) { id } }',
      `mutation { recordVisit(input: { residentIdNumber: "${foreignIds[0]}", staffId: 1, visitDate: "2026-11-20", visitMethod: "1", disposition: "1" }) { id } }`,
      'mutation { upsertStaff(input: { orgUnitCode: "500106108001", staffName: "冒名", staffDuty: "2" }) { id } }',
    ];
    for (const m of attempts) {
      const res = await as.minzheng.gql(m);
      expect([m, res.data, res.errors[0].extensions.code]).toEqual([m, null, 'FORBIDDEN']);
    }
    const [{ n: after }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM residents');
    expect(Number(after)).toBe(Number(before));
  });

  it('a user cannot grant themselves a role, and a forged token gets nowhere', async () => {
    const me = (await as.qiaobei.gql('{ me { id version role } }')).data.me;
    const grab = await as.qiaobei.gql(`mutation { updateAccount(id: ${me.id}, expectedVersion: ${me.version}, input: { role: "admin" }) { role } }`);
    expect(grab.errors[0].extensions.code).toBe('FORBIDDEN');
    const create = await as.qiaobei.gql('mutation { createAccount(input: { username: "evil", displayName: "x", password: "evil-password-1", role: "admin" }) { id } }');
    expect(create.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await as.qiaobei.gql('{ me { role } }')).data.me.role).toBe('community_staff');
    // A token signed with a guessed key, claiming to be the administrator.
    const forged = await new SignJWT({ ver: 1, role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('1').setIssuer('yibiaotong').setAudience('api')
      .setExpirationTime('1h').sign(new TextEncoder().encode('guessed-secret-guessed-secret-guessed'));
    const res = await request(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${forged}` }).send({ query: '{ accountList { username } }' });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // No token at all.
    const anonymous = await request(t.app.getHttpServer()).post('/graphql').send({ query: `{ formView(code: "F01", orgUnit: "${QIAOBEI}") { rows } }` });
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(anonymous.body.data).toBeNull();
  });

  it('a changed account stops its old tokens at once', async () => {
    const target = await t.as({ username: 'to-be-moved', role: 'community_staff', orgUnitCode: QIAOBEI });
    const account = (await target.gql('{ me { id version } }')).data.me;
    const moved = await t.gql(`mutation { updateAccount(id: ${account.id}, expectedVersion: ${account.version}, input: { orgUnitCode: "${TUQIAO}" }) { orgUnitCode } }`);
    expect(moved.data.updateAccount.orgUnitCode).toBe(TUQIAO);
    const res = await request(t.app.getHttpServer()).post('/graphql').set(target.auth).send({ query: '{ me { id } }' });
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // Logging out revokes every token of the account, on every device.
    const [first, second] = [await t.as({ username: 'two-devices', role: 'grid_worker', orgUnitCode: `${QIAOBEI}001` }), await t.as({ username: 'two-devices' })];
    expect((await first.gql('mutation { logout }')).data.logout).toBe(true);
    for (const device of [first, second]) expect((await device.gql('{ me { id } }')).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
