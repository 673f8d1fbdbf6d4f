import { ageOn, todayIso } from '../../src/identity/index.js';
import { COMMUNITY, DISTRICT, GRID, idNumber, insertOrgFixture, OTHER_COMMUNITY, OTHER_GRID, STREET } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const VIEW = `query ($code: String!, $org: String!) { formView(code: $code, orgUnit: $org, first: 500) { title totalCount columns { key header } rows } }`;

describe(`one entry updates every form (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let staff: { gridWorkerId: number; cadreId: number };
  const id = idNumber('440524', '19480315', 27);
  const today = todayIso();

  beforeAll(async () => {
    t = await createTestApp();
    staff = await insertOrgFixture(t.dataSource);
  });
  afterAll(() => t.close());

  async function view(code: string, org = COMMUNITY) {
    const res = await t.gql(VIEW, { code, org });
    expect(res.errors).toBeUndefined();
    const { columns, rows } = res.data.formView;
    return { ...res.data.formView, records: rows.map((r: unknown[]) => Object.fromEntries(columns.map((c: { key: string }, i: number) => [c.key, r[i]]))) };
  }
  const f09 = async () => {
    const { records } = await view('F09', STREET);
    return Object.fromEntries(records.map((r: any) => [r.communityName, r]));
  };
  const mine = async (code: string, org?: string) => (await view(code, org)).records.filter((r: any) => (r.idNumber ?? r.operatorIdNumber) === id);

  it('finds one resident, entered once, in F01, F02, F03, F05, F06 and F07 with the derived columns right', async () => {
    const before = await f09();
    expect(before['桥北社区']).toMatchObject({ rowNumber: 1, grids: 2, households: 0, residents: 0, elderlyLivingAlone: 0 });
    const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { version } }`, {
      i: {
        idNumber: id, gridCode: GRID, name: '张德明', phone: '13912345678', currentAddress: '桥北路12号', healthStatus: '3',
        livingArrangement: '1', maritalStatus: '30', childrenCount: 0, proneToWandering: true, wanderingReason: '1', heightCm: 168,
        disabilityCategory: '4', disabilityGrade: '2', severeDisabilityCareSubsidy: true, ethnicity: '01', hukouNature: '1',
        enlistmentDate: '1966-03', dischargeDate: '1971-12', dischargeMethod: '4', politicalStatus: '01',
        registrationType: '2', hukouAddress: '广东省汕头市潮阳区', arrivalDate: '2020-05-01', dwellingType: '2', landlordName: '周房东',
        liaisonStaff: staff.cadreId, oldAgeAllowance: true, supportMode: '2', monthlySupportAmount: 800.5,
      },
    });
    expect(res.errors).toBeUndefined();
    const age = ageOn('1948-03-15', today);

    const [f01] = await mine('F01');
    expect(f01).toMatchObject({ rowNumber: 1, name: '张德明', gender: '男', birthDate: '1948-03-15', age, phone: '13912345678', currentAddress: '桥北路12号', healthStatus: '不健康但生活能自理', oldAgeAllowance: '是', minimumLivingAllowance: null, latestVisitDate: null, gridName: '第一网格' });
    const [f02] = await mine('F02');
    expect(f02).toMatchObject({ age, maritalStatus: '丧偶', childrenCount: 0, supportMode: '分散供养', monthlySupportAmount: 800.5, liaisonStaffName: '李升俊', liaisonStaffPhone: '13800000002' });
    const [f03] = await mine('F03');
    // 近期照片 and 居住证 were not answered: their cells are empty, not 未采集 / 未办理.
    expect(f03).toMatchObject({ wanderingReason: '认知障碍', heightCm: 168, photoCollected: null });
    const [f05] = await mine('F05');
    expect(f05).toMatchObject({ ethnicity: '汉族', disabilityCertificateNumber: `${id}42`, disabilityCategory: '肢体', disabilityGrade: '二级', hukouNature: '农业', severeDisabilityCareSubsidy: '是' });
    const [f06] = await mine('F06');
    expect(f06).toMatchObject({ birthDate: '1948.03', politicalStatus: '中共党员', enlistmentDate: '1966.03', dischargeDate: '1971.12', dischargeMethod: '退伍' });
    const [f07] = await mine('F07');
    expect(f07).toMatchObject({ hukouAddress: '广东省汕头市潮阳区', arrivalDate: '2020-05-01', dwellingType: '租赁房', landlordName: '周房东', residencePermit: null, registeredOn: today });
    // F09 for the street: every count of the community moved by one, and so did the 合计 row.
    const after = await f09();
    for (const key of ['households', 'residents', 'aged60Plus', 'elderlyLivingAlone', 'elderlyWithoutFamily', 'proneToWandering', 'disabled', 'veterans', 'floatingPopulation']) {
      expect([key, after['桥北社区'][key] - before['桥北社区'][key], after['合计'][key] - before['合计'][key]]).toEqual([key, 1, 1]);
    }
    expect(after['合计'].rowNumber).toBeNull();
    expect(after['测试社区']).toEqual(before['测试社区']);
    // The typed query gives the same row, with one typed field per column.
    const typed = await t.gql(`{ elderlyLivingAlone(orgUnit: "${COMMUNITY}") { title totalCount rows { rowNumber name age birthDate idNumber oldAgeAllowance gridName } } }`);
    expect(typed.errors).toBeUndefined();
    expect(typed.data.elderlyLivingAlone).toEqual({ title: '陈家桥街道桥北社区独居老人信息台账', totalCount: 1, rows: [{ rowNumber: 1, name: '张德明', age, birthDate: '1948-03-15', idNumber: id, oldAgeAllowance: '是', gridName: '第一网格' }] });
    // The whole district includes the community.
    expect(await mine('F01', DISTRICT)).toHaveLength(1);
  });

  it('shows a visit in F04 with the key groups of the day, and in F01 as the latest visit', async () => {
    const res = await t.gql(`mutation { recordVisit(input: { residentIdNumber: "${id}", staffId: ${staff.gridWorkerId}, visitDate: "${today}", visitMethod: "1", disposition: "3" }) { id } }`);
    expect(res.errors).toBeUndefined();
    const f04 = await view('F04');
    expect(f04.records).toEqual([expect.objectContaining({ visitDate: today, residentName: '张德明', keyGroups: '独居老人、孤寡老人、易走失人员', visitMethod: '入户走访', visitorName: '夏雪', gridName: '第一网格' })]);
    expect((await mine('F01'))[0].latestVisitDate).toBe(today);
    expect((await f09())['桥北社区'].visits).toBe(1);
  });

  it('takes them out of exactly the right forms when one fact changes', async () => {
    const before = (await t.gql(`{ resident(idNumber: "${id}") { version } }`)).data.resident.version;
    const res = await t.gql(`mutation { upsertResident(input: { idNumber: "${id}", expectedVersion: ${before}, livingArrangement: "3" }) { version } }`);
    expect(res.errors).toBeUndefined();
    expect(await mine('F01')).toHaveLength(0); // no longer living alone
    for (const code of ['F02', 'F03', 'F05', 'F06', 'F07']) expect([code, (await mine(code)).length]).toEqual([code, 1]);
    expect((await view('F04')).records[0].keyGroups).toBe('孤寡老人、易走失人员');
    expect((await f09())['桥北社区']).toMatchObject({ elderlyLivingAlone: 0, elderlyWithoutFamily: 1, residents: 1 });
  });

  it('moves them to another community: gone from every form here, present in every form there', async () => {
    const before = (await t.gql(`{ resident(idNumber: "${id}") { version } }`)).data.resident.version;
    const res = await t.gql(`mutation { upsertResident(input: { idNumber: "${id}", expectedVersion: ${before}, gridCode: "${OTHER_GRID}", currentAddress: "同心路8号" }) { version } }`);
    expect(res.errors).toBeUndefined();
    for (const code of ['F02', 'F03', 'F05', 'F06', 'F07']) {
      expect([code, (await mine(code, COMMUNITY)).length, (await mine(code, OTHER_COMMUNITY)).length]).toEqual([code, 0, 1]);
    }
    expect((await mine('F03', STREET))[0]).toMatchObject({ currentAddress: '同心路8号', gridName: '第一网格' });
    const moved = await f09();
    expect(moved['桥北社区']).toMatchObject({ residents: 0, households: 0, disabled: 0 });
    expect(moved['测试社区']).toMatchObject({ residents: 1, households: 1, disabled: 1, floatingPopulation: 1 });
  });
});

describe(`delta pulls with updatedSince (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const DELTA = `query ($since: String) { formView(code: "F01", orgUnit: "${COMMUNITY}", updatedSince: $since) { totalCount keys removedKeys serverTime rows } }`;
  const upsert = (input: Record<string, unknown>) => t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id version } }`, { i: input });

  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
  });
  afterAll(() => t.close());

  it('returns only rows changed since the last pull, and the keys of rows that left', async () => {
    const ids = [idNumber('500106', '19400101', 11), idNumber('500106', '19410101', 13), idNumber('500106', '19420101', 15)];
    const made = [];
    for (const [i, id] of ids.entries()) made.push((await upsert({ idNumber: id, gridCode: GRID, name: `老人${i}`, currentAddress: `独居路${i}号`, livingArrangement: '1' })).data.upsertResident);
    // SQLite keeps whole seconds and a delta includes the pull's own second (at least once, never lost):
    // step into the next second around the pull so the test sees exactly the later changes.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const full = (await t.gql(DELTA, {})).data.formView;
    expect(full.keys).toEqual(made.map((m) => String(m.id)));
    expect(full.removedKeys).toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const since = full.serverTime;
    expect((await t.gql(DELTA, { since })).data.formView).toMatchObject({ totalCount: 0, keys: [], removedKeys: [] });

    await upsert({ idNumber: ids[0], expectedVersion: 1, phone: '13912345678' });
    await upsert({ idNumber: ids[1], expectedVersion: 1, livingArrangement: '3' });
    const delta = (await t.gql(DELTA, { since })).data.formView;
    expect(delta.keys).toEqual([String(made[0].id)]);
    expect(delta.rows[0]).toContain('13912345678');
    expect(delta.removedKeys).toEqual([String(made[1].id)]);
  });

  it('rejects an instant that is not ISO 8601', async () => {
    const res = await t.gql(DELTA, { since: 'yesterday' });
    expect(res.errors[0].extensions.fieldErrors[0]).toMatchObject({ path: ['updatedSince'], code: 'INVALID_INSTANT' });
  });
});
