import request from 'supertest';
import { todayIso } from '../../src/identity/index.js';
import { binary } from '../support/http.js';
import { COMMUNITY, GRID, GRID_2, idNumber, insertOrgFixture, OTHER_COMMUNITY, OTHER_GRID, STREET } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

// A second street of the same district, for moves across streets (invented codes, as the fixture's).
const FAR_STREET = '500106109000';
const FAR_COMMUNITY = '500106109001';
const FAR_GRID = '500106109001001';

const RESIDENT = `id version gridCode status deregisteredOn deregistrationReason deregistrationReasonName deregistrationDestination deregistrationNote household { id currentAddress }`;
const UPSERT = `mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { ${RESIDENT} } }`;
const DEREGISTER = `mutation Leave($id: String!, $reason: String, $date: String, $note: String, $destination: String, $v: Int) {
  deregisterResident(idNumber: $id, reason: $reason, effectiveDate: $date, note: $note, destination: $destination, expectedVersion: $v) { ${RESIDENT} } }`;
const RESTORE = `mutation ($id: String!, $reason: String, $v: Int) { restoreResident(idNumber: $id, reason: $reason, expectedVersion: $v) { ${RESIDENT} } }`;
const TRANSFER = `mutation ($id: String!, $grid: String, $address: String, $v: Int) { transferResident(idNumber: $id, gridCode: $grid, currentAddress: $address, expectedVersion: $v) { ${RESIDENT} } }`;
const VIEW = `query ($code: String!, $org: String!, $date: String) { formView(code: $code, orgUnit: $org, referenceDate: $date, first: 500) { columns { key } rows } }`;
const HISTORY = `query ($id: String!) { residentHistory(idNumber: $id) { action recordId changes { field label before after } } }`;

type Gql = TestApp['gql'];

/** A day some days before today (yyyy-mm-dd). */
function daysAgo(days: number): string {
  const d = new Date(`${todayIso()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

describe(`residents who leave (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let community: { gql: Gql; auth: { Authorization: string } };
  let farCommunity: { gql: Gql };
  let street: { gql: Gql };
  let staffId: number;

  beforeAll(async () => {
    t = await createTestApp();
    staffId = (await insertOrgFixture(t.dataSource)).gridWorkerId;
    const p = isPostgres() ? (i: number) => `$${i}` : () => '?';
    for (const unit of [[FAR_STREET, '白云街道', 'street', '500106000000'], [FAR_COMMUNITY, '远山社区', 'community', FAR_STREET], [FAR_GRID, '第一网格', 'grid', FAR_COMMUNITY]]) {
      await t.dataSource.transaction((m) => m.query(`INSERT INTO org_units (code, name, level, parent_code, sort_order) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 1)`, unit));
    }
    community = await t.as({ username: 'leave-community', role: 'community_staff', orgUnitCode: COMMUNITY });
    farCommunity = await t.as({ username: 'leave-far', role: 'community_staff', orgUnitCode: FAR_COMMUNITY });
    street = await t.as({ username: 'leave-street', role: 'street_office', orgUnitCode: STREET });
  });
  afterAll(() => t.close());

  /** A registered resident: elderly, living alone, widowed without children (F01 and F02), registered 60 days ago. */
  async function register(id: string, name: string, address: string, grid = GRID, gql: Gql = community.gql) {
    const res = await gql(UPSERT, { i: { idNumber: id, gridCode: grid, name, currentAddress: address, livingArrangement: '1', maritalStatus: '30', childrenCount: 0, registeredOn: daysAgo(60) } });
    expect(res.errors).toBeUndefined();
    return res.data.upsertResident;
  }
  const version = async (id: string) => (await t.gql(`{ resident(idNumber: "${id}") { version } }`)).data.resident.version as number;
  async function view(code: string, org: string, date?: string) {
    const res = await t.gql(VIEW, { code, org, date });
    expect(res.errors).toBeUndefined();
    const { columns, rows } = res.data.formView;
    return rows.map((r: unknown[]) => Object.fromEntries(columns.map((c: { key: string }, i: number) => [c.key, r[i]]))) as Record<string, any>[];
  }
  const ids = async (code: string, org: string, date?: string) => (await view(code, org, date)).map((r) => r.idNumber);
  const f09 = async (date?: string) => Object.fromEntries((await view('F09', STREET, date)).map((r) => [r.communityName, r]));
  const errorOf = (res: { errors?: any[] }) => res.errors?.[0]?.extensions;

  describe('a deceased resident', () => {
    const id = idNumber('500106', '19400101', 11);
    const effective = daysAgo(10);

    it('leaves F01, F02 and the F09 counts from the effective date on, and stays in the views of the days before', async () => {
      const before = await f09();
      const registered = await register(id, '王大爷', '桥北路1号');
      const counted = await f09();
      for (const key of ['residents', 'households', 'elderlyLivingAlone']) expect([key, counted['桥北社区'][key] - before['桥北社区'][key]]).toEqual([key, 1]);

      const res = await community.gql(DEREGISTER, { id, reason: '2', date: effective, note: '家属告知', v: registered.version });
      expect(res.errors).toBeUndefined();
      expect(res.data.deregisterResident).toMatchObject({ id: registered.id, version: registered.version + 1, status: '已注销', deregisteredOn: effective, deregistrationReason: '2', deregistrationReasonName: '死亡', deregistrationDestination: null, deregistrationNote: '家属告知' });
      // The household keeps its address (their history) but no longer counts: nobody registered lives there.
      expect(res.data.deregisterResident.household.currentAddress).toBe('桥北路1号');

      for (const code of ['F01', 'F02']) {
        expect([code, await ids(code, COMMUNITY)]).toEqual([code, []]);
        expect([code, await ids(code, COMMUNITY, effective)]).toEqual([code, []]);
        expect([code, await ids(code, COMMUNITY, daysAgo(11))]).toEqual([code, [id]]);
      }
      const after = await f09();
      for (const key of ['residents', 'households', 'elderlyLivingAlone', 'elderlyWithoutFamily']) expect([key, after['桥北社区'][key]]).toEqual([key, before['桥北社区'][key]]);
      const dayBefore = await f09(daysAgo(11));
      for (const key of ['residents', 'households', 'elderlyLivingAlone']) expect([key, dayBefore['桥北社区'][key]]).toEqual([key, counted['桥北社区'][key]]);

      expect((await t.gql(`{ residentForms(idNumber: "${id}") { code } }`)).data.residentForms).toEqual([]);
      // Search still finds them, marked, so that a mistake can be undone.
      const found = (await community.gql(`{ searchResidents(orgUnit: "${COMMUNITY}", text: "王大爷") { idNumber status } }`)).data.searchResidents;
      expect(found).toEqual([{ idNumber: id, status: '已注销' }]);
    });

    it('cannot be deregistered again, edited, or registered again anywhere', async () => {
      const v = await version(id);
      expect(errorOf(await community.gql(DEREGISTER, { id, reason: '9', date: todayIso(), v }))?.code).toBe('ALREADY_DEREGISTERED');
      expect(errorOf(await community.gql(UPSERT, { i: { idNumber: id, expectedVersion: v, phone: '13900000000' } }))?.code).toBe('ALREADY_DEREGISTERED');
      for (const [gql, grid] of [[community.gql, GRID_2], [farCommunity.gql, FAR_GRID]] as const) {
        const res = await gql(UPSERT, { i: { idNumber: id, gridCode: grid, name: '王大爷', currentAddress: '新路1号' } });
        expect(errorOf(res)).toMatchObject({ code: 'RESIDENT_DECEASED', path: ['input', 'idNumber'] });
      }
      expect(await version(id)).toBe(v);
    });

    it('is restored (a mistake): back on every form and in the counts, every step in the history', async () => {
      const counted = await f09(daysAgo(11));
      expect(errorOf(await farCommunity.gql(RESTORE, { id, v: await version(id) }))?.code).toBe('NOT_FOUND');
      expect(errorOf(await community.gql(RESTORE, { id }))?.fieldErrors).toEqual([expect.objectContaining({ path: ['expectedVersion'], code: 'REQUIRED' })]);
      const stale = errorOf(await community.gql(RESTORE, { id, v: 1 }));
      expect(stale).toMatchObject({ code: 'CONFLICT', currentVersion: await version(id), current: expect.objectContaining({ deregistrationReason: '2' }) });

      const res = await community.gql(RESTORE, { id, reason: '误报死亡', v: await version(id) });
      expect(res.errors).toBeUndefined();
      expect(res.data.restoreResident).toMatchObject({ status: '在册', deregisteredOn: null, deregistrationReason: null, deregistrationNote: null });
      expect(await ids('F01', COMMUNITY)).toEqual([id]);
      const now = await f09();
      for (const key of ['residents', 'households', 'elderlyLivingAlone']) expect([key, now['桥北社区'][key]]).toEqual([key, counted['桥北社区'][key]]);
      expect(errorOf(await community.gql(RESTORE, { id, v: await version(id) }))?.code).toBe('NOT_DEREGISTERED');

      // The conflict above showed the current values in full: that reveal is in the history too, between the changes.
      const history = (await community.gql(HISTORY, { id })).data.residentHistory.filter((h: { action: string }) => h.action !== 'reveal');
      expect(history.map((h: { action: string }) => h.action)).toEqual(['restore', 'deregister', 'create']);
      expect(history[1].changes).toEqual(expect.arrayContaining([
        { field: 'deregisteredOn', label: '注销日期', before: null, after: effective },
        { field: 'deregistrationReason', label: '注销原因', before: null, after: '2' },
        { field: 'deregistrationNote', label: '注销说明', before: null, after: '家属告知' },
      ]));
      expect(history[1].changes).toHaveLength(3);
      expect(history[0].changes).toEqual(expect.arrayContaining([
        { field: 'deregisteredOn', label: '注销日期', before: effective, after: null },
        { field: 'restoreReason', label: '恢复原因', before: null, after: '误报死亡' },
      ]));
    });
  });

  it('checks what a deregistration says, and its version', async () => {
    const id = idNumber('500106', '19410101', 13);
    const { version: v } = await register(id, '李奶奶', '桥北路3号');
    const fieldErrors = async (variables: Record<string, unknown>) => errorOf(await community.gql(DEREGISTER, { id, v, ...variables }))?.fieldErrors?.map((e: { path: string[]; code: string }) => [e.path.join('.'), e.code]);
    expect(await fieldErrors({})).toEqual([['effectiveDate', 'REQUIRED'], ['reason', 'REQUIRED']]);
    expect(await fieldErrors({ reason: '1', date: todayIso() })).toEqual([['destination', 'REQUIRED']]);
    expect(await fieldErrors({ reason: '2', date: todayIso(), destination: '成都' })).toEqual([['destination', 'NOT_APPLICABLE']]);
    expect(await fieldErrors({ reason: '5', date: todayIso() })).toEqual([['reason', 'INVALID_CODE']]);
    expect(await fieldErrors({ reason: '9', date: '2999-01-01' })).toEqual([['effectiveDate', 'DATE_IN_FUTURE']]);
    expect(await fieldErrors({ reason: '9', date: daysAgo(61) })).toEqual([['effectiveDate', 'BEFORE_OTHER_FIELD']]);
    expect(errorOf(await community.gql(DEREGISTER, { id, reason: '9', date: todayIso(), v: v + 1 }))).toMatchObject({ code: 'CONFLICT', currentVersion: v });
    expect(errorOf(await farCommunity.gql(DEREGISTER, { id, reason: '9', date: todayIso(), v }))?.code).toBe('NOT_FOUND');
    expect(errorOf(await street.gql(DEREGISTER, { id, reason: '9', date: todayIso(), v }))?.code).toBe('FORBIDDEN');
    // The one form does not offer them, and an upsert cannot set them.
    const oneForm = (await community.gql('{ oneForm { sections { fields { key } } } }')).data.oneForm;
    expect(oneForm.sections.flatMap((s: { fields: { key: string }[] }) => s.fields.map((f) => f.key)).filter((k: string) => k.startsWith('deregist'))).toEqual([]);
    expect((await community.gql(UPSERT, { i: { idNumber: id, expectedVersion: v, deregisteredOn: todayIso() } })).errors).toBeDefined();
    expect(await version(id)).toBe(v);
  });

  it('keeps a visit made before the effective date in F04, not one on or after it', async () => {
    const id = idNumber('500106', '19420101', 15);
    await register(id, '赵爷爷', '桥北路5号');
    const [early, late] = [daysAgo(12), daysAgo(5)];
    for (const visitDate of [early, late]) {
      const res = await t.gql(`mutation { recordVisit(input: { residentIdNumber: "${id}", staffId: ${staffId}, visitDate: "${visitDate}", visitMethod: "1", disposition: "3" }) { id } }`);
      expect(res.errors).toBeUndefined();
    }
    const visitsOf = async (date: string) => (await view('F04', COMMUNITY, date.slice(0, 7))).filter((r) => r.residentName === '赵爷爷').map((r) => r.visitDate);
    expect([...(await visitsOf(early)), ...(early.slice(0, 7) === late.slice(0, 7) ? [] : await visitsOf(late))].sort()).toEqual([early, late]);
    expect((await community.gql(DEREGISTER, { id, reason: '9', date: daysAgo(10), note: '长期外出', v: await version(id) })).errors).toBeUndefined();
    expect(await visitsOf(early)).toEqual([early]);
    expect(await visitsOf(late)).not.toContain(late);
  });

  it('flags a row of an old ledger naming someone who left: the import never writes onto them', async () => {
    const id = idNumber('500106', '19460101', 23);
    await register(id, '吴大爷', '桥北路13号');
    const exported = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    expect(exported.status).toBe(200);
    const v = await version(id);
    expect((await community.gql(DEREGISTER, { id, reason: '2', date: todayIso(), v })).errors).toBeUndefined();
    const upload = await request(t.app.getHttpServer()).post('/imports').set(t.auth).field('form', 'F01').field('orgUnit', COMMUNITY).attach('file', exported.body, 'F01台账.xlsx');
    expect(upload.status).toBe(201);
    const preview = (await t.gql(`{ importPreview(id: ${upload.body.id}, kind: "error") { rows { subject errors { code } } } }`)).data.importPreview;
    expect(preview.rows).toEqual([{ subject: id, errors: [{ code: 'RESIDENT_DEREGISTERED' }] }]);
  });

  it('answers a retried deregistration with the same key once: one change, one audit line', async () => {
    const id = idNumber('500106', '19430101', 17);
    const { version: v, id: residentId } = await register(id, '钱奶奶', '桥北路7号');
    const send = () => request(t.app.getHttpServer()).post('/graphql').set(community.auth).set('Idempotency-Key', 'leave-retry-0001')
      .send({ query: DEREGISTER, operationName: 'Leave', variables: { id, reason: '1', date: todayIso(), destination: '四川省成都市', v } });
    const first = await send();
    const again = await send();
    expect(first.body.errors).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await version(id)).toBe(v + 1);
    const lines = (await t.gql(`{ auditLog(action: "deregister", entity: "resident", recordId: ${residentId}) { id } }`)).data.auditLog;
    expect(lines).toHaveLength(1);
  });

  describe('a street office moves a resident between its communities', () => {
    const id = idNumber('500106', '19440101', 19);

    it('moves them to another community: gone from F01 here, in F01 there, the old household gone, audited as transfer', async () => {
      const { version: v, household } = await register(id, '孙大爷', '桥北路9号');
      const res = await street.gql(TRANSFER, { id, grid: OTHER_GRID, address: '同心路2号', v });
      expect(res.errors).toBeUndefined();
      expect(res.data.transferResident).toMatchObject({ gridCode: OTHER_GRID, version: v + 1, status: '在册', household: { currentAddress: '同心路2号' } });
      expect(await ids('F01', COMMUNITY)).not.toContain(id);
      expect(await ids('F01', OTHER_COMMUNITY)).toContain(id);
      expect((await t.gql(`{ household(id: ${household.id}) { id } }`)).errors?.[0].extensions.code).toBe('NOT_FOUND');
      const [line] = (await street.gql(HISTORY, { id })).data.residentHistory;
      expect(line.action).toBe('transfer');
      expect(line.changes).toEqual(expect.arrayContaining([
        { field: 'gridCode', label: '所属网格', before: GRID, after: OTHER_GRID },
        { field: 'currentAddress', label: '现居住地址', before: '桥北路9号', after: '同心路2号' },
      ]));
    });

    it('is refused to a community account, for a grid outside the street, to the same grid, and at a stale version', async () => {
      const v = await version(id);
      expect(errorOf(await community.gql(TRANSFER, { id, grid: GRID, v }))?.code).toBe('FORBIDDEN');
      expect(errorOf(await street.gql(TRANSFER, { id, grid: FAR_GRID, v }))?.fieldErrors).toEqual([expect.objectContaining({ path: ['gridCode'], code: 'UNKNOWN_ORG_UNIT' })]);
      expect(errorOf(await street.gql(TRANSFER, { id, grid: OTHER_GRID, v }))?.fieldErrors).toEqual([expect.objectContaining({ path: ['gridCode'], code: 'SAME_GRID' })]);
      expect(errorOf(await street.gql(TRANSFER, { id, grid: GRID, v: v - 1 }))?.code).toBe('CONFLICT');
      // Otherwise the street stays read-only on the ledger.
      expect(errorOf(await street.gql(UPSERT, { i: { idNumber: id, expectedVersion: v, phone: '13900000001' } }))?.code).toBe('FORBIDDEN');
      expect(await version(id)).toBe(v);
    });
  });

  describe('moving to another street', () => {
    const id = idNumber('500106', '19450101', 21);

    it('is refused as a duplicate while they are on the ledger here', async () => {
      const registered = await register(id, '周大娘', '桥北路11号');
      const res = await farCommunity.gql(UPSERT, { i: { idNumber: id, gridCode: FAR_GRID, name: '周大娘', currentAddress: '远山路1号' } });
      expect(errorOf(res)?.code).toBe('DUPLICATE');
      expect(await version(id)).toBe(registered.version);
    });

    it('after 迁出 here, registering the same ID number there brings back the same record, its history included', async () => {
      const { id: residentId, version: v } = (await t.gql(`{ resident(idNumber: "${id}") { id version } }`)).data.resident;
      const left = await community.gql(DEREGISTER, { id, reason: '1', date: todayIso(), destination: '白云街道远山社区', v });
      expect(left.errors).toBeUndefined();
      const missing = await farCommunity.gql(UPSERT, { i: { idNumber: id, gridCode: FAR_GRID, name: '周大娘' } });
      expect(errorOf(missing)?.fieldErrors).toEqual([expect.objectContaining({ path: ['input', 'currentAddress'], code: 'REQUIRED' })]);

      const res = await farCommunity.gql(UPSERT, { i: { idNumber: id, gridCode: FAR_GRID, name: '周大娘', currentAddress: '远山路1号', phone: '13900000002' } });
      expect(res.errors).toBeUndefined();
      expect(res.data.upsertResident).toMatchObject({ id: residentId, version: v + 2, gridCode: FAR_GRID, status: '在册', deregisteredOn: null, deregistrationReason: null, deregistrationDestination: null, household: { currentAddress: '远山路1号' } });
      expect(await ids('F01', FAR_COMMUNITY)).toEqual([id]);
      expect(await ids('F01', COMMUNITY)).not.toContain(id);
      expect(errorOf(await community.gql(`{ resident(idNumber: "${id}") { id } }`))?.code).toBe('NOT_FOUND');

      const history = (await farCommunity.gql(HISTORY, { id })).data.residentHistory;
      expect(history.map((h: { action: string }) => h.action)).toEqual(['reactivate', 'deregister', 'create']);
      expect(new Set(history.map((h: { recordId: number }) => h.recordId))).toEqual(new Set([residentId]));
      expect(history[0].changes).toEqual(expect.arrayContaining([
        { field: 'gridCode', label: '所属网格', before: GRID, after: FAR_GRID },
        { field: 'deregistrationReason', label: '注销原因', before: '1', after: null },
        { field: 'deregistrationDestination', label: '迁往地', before: '白云街道远山社区', after: null },
        { field: 'phone', label: '联系电话', before: null, after: '13900000002' },
      ]));
    });
  });
});
