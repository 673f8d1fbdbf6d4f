import { COMMUNITY, countRows, creditCode, DISTRICT, GRID, idNumber, insertOrgFixture, STREET } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

describe(`visits, businesses, staff, org units and the one form (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let staff: { gridWorkerId: number; cadreId: number };
  const operatorId = idNumber('500106', '19750808', 57);
  const elderId = idNumber('500106', '19400101', 22);

  beforeAll(async () => {
    t = await createTestApp();
    staff = await insertOrgFixture(t.dataSource);
    for (const [id, name] of [[operatorId, '陈老板'], [elderId, '吴婆婆']]) {
      const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }`, {
        i: { idNumber: id, gridCode: GRID, name, currentAddress: `桥北路${name}号`, phone: '13711112222', livingArrangement: '1' },
      });
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(() => t.close());

  it('records a visit by a grid worker to a resident on a date', async () => {
    const res = await t.gql(
      `mutation ($i: RecordVisitInput!) { recordVisit(input: $i) { id visitDate visitMethod disposition resident { name } staff { staffName } } }`,
      { i: { residentIdNumber: elderId, staffId: staff.gridWorkerId, visitDate: '2026-11-02', visitMethod: '1', disposition: '3', physicalCondition: '良好' } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.recordVisit).toMatchObject({ visitDate: '2026-11-02', resident: { name: '吴婆婆' }, staff: { staffName: '夏雪' } });
    const read = await t.gql(`query { resident(idNumber: "${elderId}") { visits { visitDate physicalCondition } } }`);
    expect(read.data.resident.visits).toEqual([{ visitDate: '2026-11-02', physicalCondition: '良好' }]);
  });

  it('rejects a visit without a known resident, worker, date or method, all at once', async () => {
    const before = await countRows(t.dataSource, 'visits');
    const res = await t.gql(`mutation ($i: RecordVisitInput!) { recordVisit(input: $i) { id } }`, {
      i: { residentIdNumber: idNumber('500106', '19990101', 1), staffId: 999, visitDate: '2999-01-01', disposition: '8' },
    });
    expect(res.errors[0].extensions.fieldErrors.map((e: any) => `${e.path[1]}:${e.code}`)).toEqual([
      'visitDate:DATE_IN_FUTURE', 'visitMethod:REQUIRED', 'disposition:INVALID_CODE', 'residentIdNumber:UNKNOWN_RESIDENT', 'staffId:UNKNOWN_STAFF',
    ]);
    expect(await countRows(t.dataSource, 'visits')).toBe(before);
  });

  it('links a business to its operator, whose name and phone are stored once, on the resident', async () => {
    const code = creditCode('92500106MA5U7LX8P');
    const res = await t.gql(
      `mutation ($i: UpsertBusinessInput!) { upsertBusiness(input: $i) { id version businessName creditCode operator { name phone idNumber } } }`,
      { i: { gridCode: GRID, businessName: '陈记小面', creditCode: code.toLowerCase(), operator: operatorId, businessCategory: '1', businessAddress: '桥北路20号', operatingMode: '1', employeeCount: 3 } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertBusiness).toMatchObject({ version: 1, creditCode: code, operator: { name: '陈老板', phone: '13711112222', idNumber: operatorId } });
    const [row] = await t.dataSource.query(`SELECT * FROM businesses`);
    expect(Object.keys(row).filter((k) => /phone|name/.test(k))).toEqual(['business_name']);

    const phone = await t.gql(`mutation { upsertResident(input: { idNumber: "${operatorId}", expectedVersion: 1, phone: "13711113333" }) { version } }`);
    expect(phone.errors).toBeUndefined();
    const again = await t.gql(`query { businesses(gridCode: "${GRID}") { operator { phone } } }`);
    expect(again.data.businesses).toEqual([{ operator: { phone: '13711113333' } }]);

    const dup = await t.gql(`mutation ($i: UpsertBusinessInput!) { upsertBusiness(input: $i) { id } }`, {
      i: { gridCode: GRID, businessName: '另一家', creditCode: code, operator: operatorId, businessCategory: '2', businessAddress: '桥北路21号', operatingMode: '1' },
    });
    expect(dup.errors[0].extensions).toMatchObject({ code: 'DUPLICATE', path: ['input', 'creditCode'] });

    const stale = await t.gql(`mutation { upsertBusiness(input: { id: ${res.data.upsertBusiness.id}, expectedVersion: 0, employeeCount: 4 }) { id } }`);
    expect(stale.errors[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
    const ok = await t.gql(`mutation { upsertBusiness(input: { id: ${res.data.upsertBusiness.id}, expectedVersion: 1, employeeCount: 4 }) { version employeeCount businessName } }`);
    expect(ok.data.upsertBusiness).toEqual({ version: 2, employeeCount: 4, businessName: '陈记小面' });
  });

  it('rejects a business whose operator is not a registered resident', async () => {
    const res = await t.gql(`mutation ($i: UpsertBusinessInput!) { upsertBusiness(input: $i) { id } }`, {
      i: { gridCode: GRID, businessName: '流动水果摊', operator: idNumber('500106', '19800101', 99), businessCategory: '2', businessAddress: '桥北路口', operatingMode: '3' },
    });
    expect(res.errors[0].extensions.fieldErrors).toEqual([expect.objectContaining({ path: ['input', 'operator'], code: 'UNKNOWN_RESIDENT' })]);
  });

  it('walks the org hierarchy from the districts down to the grids', async () => {
    const districts = await t.gql(`{ orgUnits { code name level } }`);
    expect(districts.data.orgUnits).toEqual([{ code: DISTRICT, name: '沙坪坝区', level: 'district' }]);
    const streets = await t.gql(`{ orgUnits(parentCode: "${DISTRICT}") { code name levelName } }`);
    expect(streets.data.orgUnits).toEqual([{ code: STREET, name: '陈家桥街道', levelName: '街道' }]);
    const grids = await t.gql(`{ orgUnits(parentCode: "${COMMUNITY}") { code name parentCode } }`);
    expect(grids.data.orgUnits.map((g: any) => g.name)).toEqual(['第一网格', '第二网格']);
    const missing = await t.gql(`{ orgUnits(parentCode: "999999999999") { code } }`);
    expect(missing.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('keeps staff with their org unit', async () => {
    const res = await t.gql(`mutation { upsertStaff(input: { orgUnitCode: "${COMMUNITY}", staffName: "王干部", staffPhone: "13600000000", staffDuty: "2" }) { id version } }`);
    expect(res.errors).toBeUndefined();
    const list = await t.gql(`{ staff(orgUnitCode: "${COMMUNITY}") { staffName staffDuty } }`);
    expect(list.data.staff).toEqual([{ staffName: '李升俊', staffDuty: '2' }, { staffName: '王干部', staffDuty: '2' }]);
  });

  it('serves the one form: each field once, in sections, with its options and the forms it feeds', async () => {
    const res = await t.gql(`{ oneForm { forms { code } sections { key label fields { key label type required derived options { code name } forms { code department } } } } }`);
    expect(res.errors).toBeUndefined();
    const { sections, forms } = res.data.oneForm;
    expect(sections.map((s: any) => s.label)).toEqual(['基本信息', '联系方式', '居住情况', '家庭与监护', '健康与照护', '残疾', '退役', '流动人口', '享受待遇', '其他']);
    const fields = sections.flatMap((s: any) => s.fields);
    const keys = fields.map((f: any) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    const byKey = new Map(fields.map((f: any) => [f.key, f]));
    expect(byKey.get('phone')).toMatchObject({ label: '联系电话', forms: expect.arrayContaining([{ code: 'F01', department: '区民政局' }, { code: 'F08', department: '街道综合行政执法大队' }]) });
    expect(byKey.get('gender')).toMatchObject({ derived: true, options: expect.arrayContaining([{ code: '1', name: '男' }]) });
    expect(byKey.get('disabilityCategory')).toMatchObject({ forms: expect.arrayContaining([{ code: 'F05', department: '区残疾人联合会' }, { code: 'F09', department: '街道党工委、办事处、区网格化服务管理中心' }]) });
    expect(byKey.get('familyDoctorSigned')).toMatchObject({ label: '已签约家庭医生', forms: [{ code: 'V02', department: '社区卫生服务中心' }] });
    expect(byKey.get('idNumber')).toMatchObject({ required: true, type: 'idNumber' });
    expect((byKey.get('ethnicity') as any).options).toHaveLength(56);
    expect(forms.map((f: any) => f.code)).toEqual(['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09', 'V01', 'V02', 'V03']);
  });
});
