import { GraphQLSchemaHost } from '@nestjs/graphql';
import request from 'supertest';
import { TEMPLATES } from '../../src/templates/templates.module.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * Walks everything the server answers — every query, mutation, typed template query and HTTP route, read from the
 * running schema and router — as an account of another community, as a department account and without a token,
 * with arguments pointing at one community's data (桥北社区). It fails on any leaked value of that community, on
 * any change to it, and on any field or route it has not been told how to call: a new one must be added here.
 */
const COMMUNITY = '500106108001';
const GRID = '500106108001001';
const STREET = '500106108000';
const OTHER_GRID = '500113005001001'; // 土桥正街社区, another district
const PASSWORD = 'yibiaotong2026';

type Ctx = {
  idNumber: string;
  version: number;
  householdId: number;
  visitId: number;
  businessId: number;
  businessVersion: number;
  staffId: number;
  staffVersion: number;
  reportId: number;
  importId: number;
  period: string;
  accountId: number;
};

type Call = { query: string; variables?: (c: Ctx) => Record<string, unknown> };

/** How to call each operation against 桥北社区's data. A field missing here fails the walk. */
const QUERIES: Record<string, Call> = {
  auditLog: { query: '{ auditLog(entity: "resident") { id changes { field before after } filter } }' },
  me: { query: '{ me { username orgUnitCode } }' },
  accountList: { query: '{ accountList { username } }' },
  resident: { query: 'query ($id: String!) { resident(idNumber: $id) { idNumber name phone } }', variables: (c) => ({ id: c.idNumber }) },
  searchResidents: { query: `{ searchResidents(orgUnit: "${COMMUNITY}", text: "张") { idNumber name phone } }` },
  residentHistory: { query: 'query ($id: String!) { residentHistory(idNumber: $id) { changes { before after } } }', variables: (c) => ({ id: c.idNumber }) },
  households: { query: `{ households(gridCode: "${GRID}") { id currentAddress members { idNumber phone } } }` },
  household: { query: 'query ($id: Int!) { household(id: $id) { id currentAddress members { idNumber phone } } }', variables: (c) => ({ id: c.householdId }) },
  businesses: { query: `{ businesses(gridCode: "${GRID}") { id businessName operator { idNumber phone } } }` },
  staff: { query: `{ staff(orgUnitCode: "${COMMUNITY}") { id staffName staffPhone } }` },
  orgUnits: { query: `{ orgUnits(parentCode: "${STREET}") { code name } }` },
  orgUnit: { query: `{ orgUnit(code: "${COMMUNITY}") { code name } }` },
  oneForm: { query: '{ oneForm { sections { label } } }' },
  codeLists: { query: '{ codeLists { key } }' },
  templates: { query: '{ templates { code } }' },
  residentForms: { query: 'query ($id: String!) { residentForms(idNumber: $id) { code } }', variables: (c) => ({ id: c.idNumber }) },
  formView: { query: `{ formView(code: "F01", orgUnit: "${COMMUNITY}", first: 500) { rows } }` },
  importPreview: { query: 'query ($id: Int!) { importPreview(id: $id) { id rows { subject } } }', variables: (c) => ({ id: c.importId }) },
  reports: { query: 'query ($p: String!) { reports(orgUnit: "' + COMMUNITY + '", period: $p) { id status } }', variables: (c) => ({ p: c.period }) },
  report: { query: 'query ($id: Int!) { report(id: $id) { id status submittedBy } }', variables: (c) => ({ id: c.reportId }) },
  workList: { query: `{ workList(orgUnit: "${COMMUNITY}", first: 100) { totalCount items { idNumber name forms { code missing { field } } } grids { grid { code } residents } } }` },
  visitsDue: { query: 'query ($m: String!) { visitsDue(orgUnit: "' + COMMUNITY + '", month: $m, first: 100) { totalCount residents { idNumber name lastVisitDate } coverage { code due visited } } }', variables: (c) => ({ m: c.period }) },
  qualityWarnings: { query: `{ qualityWarnings(orgUnit: "${COMMUNITY}", first: 500) { residentsAffected byRule { rule count } residents { resident { idNumber phone warnings { rule } } warnings { rule } } communities { code name residentsAffected } grids { code name byRule { rule count } } } }` },
  reportingCompleteness: { query: 'query ($p: String!) { reportingCompleteness(orgUnit: "' + STREET + '", period: $p) { code units { orgUnitName status } } }', variables: (c) => ({ p: c.period }) },
  // Counts only, no personal data; a department gets the figures of its own forms in its area.
  // The change feed of a form: the same gate as formView (the form, the unit), masked alike.
  formChanges: { query: `{ formChanges(code: "F01", orgUnit: "${COMMUNITY}", first: 500) { changes { key row } pageInfo { endCursor } } }` },
  // Webhooks are an administrator's (they send a department's rows outside).
  webhooks: { query: '{ webhooks { id account url cursor } }' },
  webhookDeliveries: { query: '{ webhookDeliveries(webhookId: 1) { deliveryId state lastError } }' },
  burdenReport: { query: 'query ($p: String!) { burdenReport(orgUnit: "' + COMMUNITY + '", period: $p) { factsTyped cellsFilled byForm { code } } }', variables: (c) => ({ p: c.period }) },
};

const MUTATIONS: Record<string, Call> = {
  login: { query: 'mutation { login(username: "qiaobei", password: "wrong-password") { token } }' },
  changePassword: { query: 'mutation { changePassword(oldPassword: "wrong-password", newPassword: "another-password-2026") { username } }' },
  createAccount: { query: `mutation { createAccount(input: { username: "intruder", password: "intruder-2026-pass", role: "community_staff", orgUnitCode: "${COMMUNITY}" }) { id } }` },
  unlockAccount: { query: 'mutation { unlockAccount(username: "qiaobei") }' },
  updateAccount: { query: 'mutation ($id: Int!) { updateAccount(id: $id, expectedVersion: 1, input: { displayName: "改名" }) { id } }', variables: (c) => ({ id: c.accountId }) },
  upsertResident: { query: 'mutation ($id: String!, $v: Int) { upsertResident(input: { idNumber: $id, expectedVersion: $v, name: "改名" }) { idNumber name phone } }', variables: (c) => ({ id: c.idNumber, v: c.version }) },
  deregisterResident: { query: 'mutation ($id: String!, $v: Int) { deregisterResident(idNumber: $id, reason: "2", effectiveDate: "2026-01-01", expectedVersion: $v) { idNumber } }', variables: (c) => ({ id: c.idNumber, v: c.version }) },
  restoreResident: { query: 'mutation ($id: String!, $v: Int) { restoreResident(idNumber: $id, expectedVersion: $v) { idNumber } }', variables: (c) => ({ id: c.idNumber, v: c.version }) },
  transferResident: { query: `mutation ($id: String!, $v: Int) { transferResident(idNumber: $id, gridCode: "${OTHER_GRID}", expectedVersion: $v) { idNumber } }`, variables: (c) => ({ id: c.idNumber, v: c.version }) },
  upsertHousehold: { query: 'mutation ($id: Int!) { upsertHousehold(input: { id: $id, expectedVersion: 1, landlordName: "改" }) { id } }', variables: (c) => ({ id: c.householdId }) },
  recordVisit: { query: 'mutation ($id: String!) { recordVisit(input: { residentIdNumber: $id, visitDate: "2026-01-05", visitMethod: "1", disposition: "1" }) { id } }', variables: (c) => ({ id: c.idNumber }) },
  upsertBusiness: { query: 'mutation ($id: Int!, $v: Int!) { upsertBusiness(input: { id: $id, expectedVersion: $v, businessName: "改" }) { id operator { idNumber } } }', variables: (c) => ({ id: c.businessId, v: c.businessVersion }) },
  upsertStaff: { query: 'mutation ($id: Int!, $v: Int!) { upsertStaff(input: { id: $id, expectedVersion: $v, staffName: "改" }) { id staffPhone } }', variables: (c) => ({ id: c.staffId, v: c.staffVersion }) },
  exportForm: { query: `mutation { exportForm(code: "F01", orgUnit: "${COMMUNITY}") { url } }` },
  commitImport: { query: 'mutation ($id: Int!) { commitImport(id: $id) { id } }', variables: (c) => ({ id: c.importId }) },
  submitReport: { query: 'mutation ($p: String!) { submitReport(code: "F02", orgUnit: "' + COMMUNITY + '", period: $p) { id } }', variables: (c) => ({ p: c.period }) },
  approveReport: { query: 'mutation ($id: Int!) { approveReport(id: $id) { id } }', variables: (c) => ({ id: c.reportId }) },
  returnReport: { query: 'mutation ($id: Int!) { returnReport(id: $id, reason: "x") { id } }', variables: (c) => ({ id: c.reportId }) },
  createWebhook: { query: `mutation { createWebhook(input: { account: "canlian", code: "F05", orgUnit: "${COMMUNITY}", url: "http://127.0.0.1:9/x", secret: "0123456789abcdef0123" }) { id } }` },
  pauseWebhook: { query: 'mutation { pauseWebhook(id: 1) { id } }' },
  resumeWebhook: { query: 'mutation { resumeWebhook(id: 1) { id } }' },
  replayWebhook: { query: 'mutation { replayWebhook(id: 1) { id } }' },
  reopenReport: { query: 'mutation ($id: Int!) { reopenReport(id: $id, reason: "x") { id } }', variables: (c) => ({ id: c.reportId }) },
};

/** Only the caller's own session: walked last, once per account. */
const SELF_ONLY = new Set(['logout']);

/** HTTP routes (GET unless said), called against 桥北社区; `public` ones answer anyone and hold no ledger data. */
const ROUTES: Record<string, { path: (c: Ctx) => string; method?: 'post'; public?: boolean; department?: boolean }> = {
  'GET /': { path: () => '/', public: true },
  'GET /page/:file': { path: () => '/page/app.js', public: true },
  'GET /page/shared/:dir/:file': { path: () => '/page/shared/identity/id-number.js', public: true },
  'GET /api/dictionary': { path: () => '/api/dictionary', public: true },
  'GET /graphql': { path: () => '/graphql', public: true },
  'GET /graphiql/assets/:file': { path: () => '/graphiql/assets/graphiql.min.js', public: true },
  'GET /health/live': { path: () => '/health/live', public: true },
  'GET /health/ready': { path: () => '/health/ready', public: true },
  'GET /exports/:code': { path: (c) => `/exports/F01?orgUnit=${COMMUNITY}&period=${c.period}` },
  'POST /imports': { path: () => `/imports?form=F01&orgUnit=${COMMUNITY}`, method: 'post' },
  'GET /imports/:id/errors.xlsx': { path: (c) => `/imports/${c.importId}/errors.xlsx` },
  // A district department reads the reporting state of its own forms in its area (no personal data in it).
  'GET /reporting/completeness.xlsx': { path: (c) => `/reporting/completeness.xlsx?orgUnit=${STREET}&period=${c.period}`, department: true },
  // The burden report: counts of a department's own forms in its area (no personal data).
  'GET /burden/report.xlsx': { path: (c) => `/burden/report.xlsx?orgUnit=${COMMUNITY}&period=${c.period}`, department: true },
  // Drafting templates from blank forms: administrators only (they write under TEMPLATES_DIR).
  'POST /templates/drafts': { path: () => '/templates/drafts', method: 'post' },
  'POST /templates/drafts/check': { path: () => '/templates/drafts/check', method: 'post' },
  'POST /templates/drafts/save': { path: () => '/templates/drafts/save', method: 'post' },
};

function lastMonth(): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

const mask = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;
const maskPhone = (p: string) => `${p.slice(0, 3)}****${p.slice(-4)}`;

describe(`every query, mutation and route, walked from outside (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let ctx: Ctx;
  /** 桥北社区's ID and phone numbers, full and masked: none may reach an outsider. */
  let secrets: { full: string[]; masked: string[] };
  let digest: () => Promise<string>;
  const outsiders: Record<string, { auth: Record<string, string>; kind: 'community' | 'department' | 'anonymous' }> = {};

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    const residents: { id_number: string; phone: string | null; version: number; household_id: number }[] = await t.dataSource.query(
      `SELECT id_number, phone, version, household_id FROM residents WHERE grid_code LIKE '${COMMUNITY}%' ORDER BY id`,
    );
    const staffPhones: { staff_phone: string }[] = await t.dataSource.query(`SELECT staff_phone FROM staff WHERE org_unit_code LIKE '${COMMUNITY}%' AND staff_phone IS NOT NULL`);
    secrets = {
      full: [...residents.map((r) => r.id_number), ...residents.flatMap((r) => (r.phone ? [r.phone] : [])), ...staffPhones.map((s) => s.staff_phone)],
      masked: [...residents.map((r) => mask(r.id_number)), ...residents.flatMap((r) => (r.phone ? [maskPhone(r.phone)] : []))],
    };
    const target = residents.find((r) => r.phone)!;
    const [visit] = await t.dataSource.query(`SELECT v.id FROM visits v JOIN residents r ON r.id = v.resident_id WHERE r.grid_code LIKE '${COMMUNITY}%' LIMIT 1`);
    const [business] = await t.dataSource.query(`SELECT id, version FROM businesses WHERE grid_code LIKE '${COMMUNITY}%' LIMIT 1`);
    const [staff] = await t.dataSource.query(`SELECT id, version FROM staff WHERE org_unit_code LIKE '${COMMUNITY}%' LIMIT 1`);
    const [account] = await t.dataSource.query(`SELECT id FROM accounts WHERE username = 'qiaobei'`);
    const period = lastMonth();

    // A report and an import preview of 桥北社区, made by its own staff.
    const qiaobei = await t.login('qiaobei', PASSWORD);
    const qb = { Authorization: `Bearer ${qiaobei.token}` };
    const submitted = await request(t.app.getHttpServer()).post('/graphql').set(qb).send({ query: `mutation ($p: String!) { submitReport(code: "F01", orgUnit: "${COMMUNITY}", period: $p) { id } }`, variables: { p: period } });
    const exported = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${COMMUNITY}`).set(qb).buffer(true).parse(binary);
    const uploaded = await request(t.app.getHttpServer()).post(`/imports?form=F01&orgUnit=${COMMUNITY}`).set(qb).attach('file', exported.body, 'F01.xlsx');
    expect(uploaded.body.id).toBeGreaterThan(0);

    // A business in another district whose operator lives in 桥北社区: its relation must not carry them out.
    const admin = t.gql;
    const op = await admin(`mutation ($id: String!) { upsertBusiness(input: { gridCode: "${OTHER_GRID}", businessName: "跨区小店", operator: $id, businessCategory: "1", businessAddress: "土桥正街1号", operatingMode: "1" }) { id } }`, { id: target.id_number });
    expect(op.errors).toBeUndefined();

    ctx = {
      idNumber: target.id_number, version: Number(target.version), householdId: Number(target.household_id), visitId: Number(visit.id),
      businessId: Number(business.id), businessVersion: Number(business.version), staffId: Number(staff.id), staffVersion: Number(staff.version),
      reportId: submitted.body.data.submitReport.id, importId: uploaded.body.id, period, accountId: Number(account.id),
    };
    digest = async () => JSON.stringify(await t.dataSource.query(
      `SELECT (SELECT COUNT(*) FROM residents WHERE grid_code LIKE '${COMMUNITY}%') AS residents, (SELECT SUM(version) FROM residents WHERE grid_code LIKE '${COMMUNITY}%') AS rv,
        (SELECT SUM(version) FROM households WHERE grid_code LIKE '${COMMUNITY}%') AS hv, (SELECT COUNT(*) FROM visits) AS visits, (SELECT SUM(version) FROM businesses) AS bv,
        (SELECT SUM(version) FROM staff) AS sv, (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT SUM(version) FROM reports) AS reports,
        (SELECT COUNT(*) FROM imports WHERE status = 'committed') AS imports, (SELECT COUNT(*) FROM webhooks) AS webhooks`,
    ));

    for (const [name, username, kind] of [['other community', 'tuqiao', 'community'], ['department', 'canlian', 'department']] as const) {
      const login = await t.login(username, PASSWORD);
      outsiders[name] = { auth: { Authorization: `Bearer ${login.token}` }, kind };
    }
    outsiders.anonymous = { auth: {}, kind: 'anonymous' };
  }, 180_000);
  afterAll(() => t.close());

  /** What an outsider's answer may not contain: anything of 桥北社区 (a department may see its own form, masked). */
  function leaks(body: string, kind: 'community' | 'department' | 'anonymous', allowMasked = false): string[] {
    const found = secrets.full.filter((s) => body.includes(s));
    if (!(kind === 'department' && allowMasked)) found.push(...secrets.masked.filter((s) => body.includes(s)));
    return found;
  }

  it('knows every query, mutation and typed template query of the running schema', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const typedQueries = new Set(templateQueries());
    const unknownQueries = Object.keys(schema.getQueryType()!.getFields()).filter((f) => !(f in QUERIES) && !typedQueries.has(f));
    const unknownMutations = Object.keys(schema.getMutationType()!.getFields()).filter((f) => !(f in MUTATIONS) && !SELF_ONLY.has(f));
    expect({ unknownQueries, unknownMutations }).toEqual({ unknownQueries: [], unknownMutations: [] });
  });

  it('knows every HTTP route', () => {
    const routes = httpRoutes().filter((r) => !(r in ROUTES));
    expect(routes).toEqual([]);
  });

  it('answers no query with another community\'s data, and masks what a department may see', async () => {
    const failures: string[] = [];
    for (const [who, o] of Object.entries(outsiders)) {
      const typed = templateQueries().map((q): [string, Call] => [q, { query: `{ ${q}(orgUnit: "${COMMUNITY}", first: 500) { rows { __typename } totalCount } }` }]);
      for (const [name, call] of [...Object.entries(QUERIES), ...typed]) {
        const res = await request(t.app.getHttpServer()).post('/graphql').set(o.auth).send({ query: call.query, variables: call.variables?.(ctx) ?? {} });
        const body = JSON.stringify(res.body);
        const found = leaks(body, o.kind, true);
        if (found.length) failures.push(`${who} ${name}: ${found.length} values of 桥北社区, e.g. ${found[0]}`);
        if (res.status >= 500) failures.push(`${who} ${name}: HTTP ${res.status}`);
        // Ledger queries answer an outsider nothing at all, or an error.
        if (o.kind !== 'department' && ['resident', 'searchResidents', 'residentHistory', 'households', 'household', 'businesses', 'staff', 'residentForms', 'formView', 'importPreview', 'report', 'workList', 'visitsDue', 'formChanges'].includes(name)) {
          const data = res.body.data?.[name];
          if (data && !(Array.isArray(data) && data.length === 0)) failures.push(`${who} ${name}: answered ${body.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('lets no mutation change or reveal another community\'s data', async () => {
    const before = await digest();
    const failures: string[] = [];
    for (const [who, o] of Object.entries(outsiders)) {
      for (const [name, call] of Object.entries(MUTATIONS)) {
        const res = await request(t.app.getHttpServer()).post('/graphql').set(o.auth).send({ query: call.query, variables: call.variables?.(ctx) ?? {} });
        const found = leaks(JSON.stringify(res.body), o.kind);
        if (found.length) failures.push(`${who} ${name}: ${found.length} values of 桥北社区`);
        if (res.status >= 500) failures.push(`${who} ${name}: HTTP ${res.status}`);
        if (name !== 'login' && name !== 'changePassword' && !res.body.errors) failures.push(`${who} ${name}: accepted ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await digest()).toBe(before);
  });

  it('serves no route with another community\'s data', async () => {
    const failures: string[] = [];
    for (const [who, o] of Object.entries(outsiders)) {
      for (const [route, spec] of Object.entries(ROUTES)) {
        let req = spec.method === 'post' ? request(t.app.getHttpServer()).post(spec.path(ctx)) : request(t.app.getHttpServer()).get(spec.path(ctx));
        req = req.set(o.auth);
        if (spec.method === 'post') req = req.attach('file', Buffer.from('not an xlsx'), 'x.xlsx');
        const res = await req.buffer(true).parse(binary);
        const text = res.body.toString('latin1') + res.body.toString('utf8');
        const found = leaks(text, o.kind);
        if (found.length) failures.push(`${who} ${route}: ${found.length} values of 桥北社区`);
        if (res.status >= 500) failures.push(`${who} ${route}: HTTP ${res.status}`);
        if (!spec.public && !(spec.department && o.kind === 'department') && res.status < 400) failures.push(`${who} ${route}: HTTP ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('does not carry another community\'s resident out through a relation', async () => {
    const res = await request(t.app.getHttpServer()).post('/graphql').set(outsiders['other community'].auth)
      .send({ query: `{ businesses(gridCode: "${OTHER_GRID}") { businessName operator { idNumber name phone } } }` });
    const shop = res.body.data.businesses.find((b: any) => b.businessName === '跨区小店');
    expect(shop).toBeDefined();
    expect(shop.operator).toBeNull();
    expect(leaks(JSON.stringify(res.body), 'community')).toEqual([]);
  });

  it('ends the walk with each account\'s own logout, which touches nobody else', async () => {
    for (const o of Object.values(outsiders)) {
      const res = await request(t.app.getHttpServer()).post('/graphql').set(o.auth).send({ query: 'mutation { logout }' });
      expect(res.status).toBeLessThan(500);
    }
    const stillIn = await t.gql('{ me { username } }');
    expect(stillIn.data.me.username).toBe('tester');
  });

  /** The typed template queries: one per template, named in each template file. */
  function templateQueries(): string[] {
    return (t.app.get(TEMPLATES, { strict: false }) as { def: { query: string } }[]).map((x) => x.def.query);
  }

  /** "METHOD /path" of every route Express knows (Nest controllers, the GraphQL endpoint's GET). */
  function httpRoutes(): string[] {
    const express = t.app.getHttpAdapter().getInstance();
    const stack = (express.router ?? express._router).stack as { route?: { path: string; methods: Record<string, boolean> } }[];
    return [...new Set(stack.flatMap((l) => (l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`) : [])))];
  }
});
