import { ageOn, todayIso } from '../../src/identity/index.js';
import { countRows, GRID, GRID_2, idNumber, insertOrgFixture, OTHER_GRID } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = `mutation Upsert($input: UpsertResidentInput!) {
  upsertResident(input: $input) {
    id version idNumber name gender birthDate age gridCode currentAddress livingArrangement maritalStatus childrenCount
    proneToWandering wanderingReason disabilityCategory disabilityGrade registrationType hukouAddress phone registeredOn
    dwellingType landlordName
    grid { code name level }
    household { id currentAddress }
    liaisonStaff { id staffName staffPhone }
  }
}`;

const READ = `query Read($idNumber: String!) {
  resident(idNumber: $idNumber) { id version idNumber name gender birthDate age livingArrangement maritalStatus childrenCount
    proneToWandering disabilityCategory disabilityGrade registrationType hukouAddress phone currentAddress gridCode }
}`;

describe(`upsertResident: single entry (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let staff: { gridWorkerId: number; cadreId: number };
  beforeAll(async () => {
    t = await createTestApp();
    staff = await insertOrgFixture(t.dataSource);
  });
  afterAll(() => t.close());

  const elderId = idNumber('440524', '19480315', 27); // born 1948, odd sequence: male, registered in Guangdong

  it('stores every fact of a 1948-born widower living alone, prone to wandering, grade-2 physically disabled, registered elsewhere, once', async () => {
    const res = await t.gql(UPSERT, {
      input: {
        idNumber: elderId,
        gridCode: GRID,
        name: '张德明',
        phone: '13912345678',
        currentAddress: '重庆市沙坪坝区陈家桥街道桥北社区桥北路12号3栋2单元401',
        livingArrangement: '1',
        maritalStatus: '30',
        childrenCount: 0,
        proneToWandering: true,
        wanderingReason: '1',
        disabilityCategory: '4',
        disabilityGrade: '2',
        severeDisabilityCareSubsidy: true,
        registrationType: '2',
        hukouAddress: '广东省汕头市潮阳区棉城镇东山路8号',
        liaisonStaff: staff.cadreId,
        gender: '1', // optional, checked against the ID number
        birthDate: '1948-03-15',
      },
    });
    expect(res.errors).toBeUndefined();
    const r = res.data.upsertResident;
    expect(r).toMatchObject({
      version: 1,
      idNumber: elderId,
      gender: '1',
      birthDate: '1948-03-15',
      age: ageOn('1948-03-15', todayIso()),
      livingArrangement: '1',
      maritalStatus: '30',
      childrenCount: 0,
      proneToWandering: true,
      disabilityCategory: '4',
      disabilityGrade: '2',
      registrationType: '2',
      registeredOn: todayIso(),
      grid: { code: GRID, name: '第一网格', level: 'grid' },
      household: { currentAddress: '重庆市沙坪坝区陈家桥街道桥北社区桥北路12号3栋2单元401' },
      liaisonStaff: { id: staff.cadreId, staffName: '李升俊', staffPhone: '13800000002' },
    });

    // Each fact is one column of one row: sex and birth date are not stored at all, the address only on the household.
    const [row] = await t.dataSource.query(`SELECT * FROM residents WHERE id_number = '${elderId}'`);
    expect(row).toMatchObject({ living_arrangement: '1', marital_status: '30', children_count: 0, disability_grade: '2', registration_type: '2', phone: '13912345678' });
    expect(Object.keys(row)).not.toEqual(expect.arrayContaining(['gender']));
    expect(Object.keys(row)).not.toContain('birth_date');
    expect(Object.keys(row)).not.toContain('current_address');
    const households = await t.dataSource.query(`SELECT * FROM households WHERE id = ${row.household_id}`);
    expect(households).toHaveLength(1);
    expect(households[0].current_address).toBe('重庆市沙坪坝区陈家桥街道桥北社区桥北路12号3栋2单元401');

    const read = await t.gql(READ, { idNumber: elderId.toLowerCase().replace(/(\d{6})/, '$1 ') });
    expect(read.errors).toBeUndefined();
    expect(read.data.resident).toMatchObject({ name: '张德明', gender: '1', birthDate: '1948-03-15', age: ageOn('1948-03-15', todayIso()), currentAddress: households[0].current_address });
  });

  it('updates only the fields given, and a null clears one', async () => {
    const before = (await t.gql(READ, { idNumber: elderId })).data.resident;
    const res = await t.gql(UPSERT, { input: { idNumber: elderId, expectedVersion: before.version, phone: '023-65123456', hukouAddress: null } });
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertResident).toMatchObject({ version: before.version + 1, phone: '023-65123456', hukouAddress: null, name: '张德明', livingArrangement: '1', disabilityGrade: '2' });
  });

  it('moves a resident to the household at a new address, in another grid; the household left empty is gone', async () => {
    const before = (await t.gql(READ, { idNumber: elderId })).data.resident;
    const res = await t.gql(UPSERT, { input: { idNumber: elderId, expectedVersion: before.version, gridCode: GRID_2, currentAddress: '重庆市沙坪坝区陈家桥街道桥北社区新街5号' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertResident).toMatchObject({ gridCode: GRID_2, currentAddress: '重庆市沙坪坝区陈家桥街道桥北社区新街5号' });
    const old = await t.dataSource.query(`SELECT current_address FROM households WHERE current_address LIKE '%桥北路12号%'`);
    expect(old).toHaveLength(0);
  });

  it('puts two residents at the same address in one grid into one household', async () => {
    const address = '重庆市沙坪坝区陈家桥街道桥北社区同心路1号';
    const a = await t.gql(UPSERT, { input: { idNumber: idNumber('500106', '19700101', 12), gridCode: OTHER_GRID, name: '王芳', currentAddress: address } });
    const b = await t.gql(UPSERT, { input: { idNumber: idNumber('500106', '19720202', 31), gridCode: OTHER_GRID, name: '刘强', currentAddress: address } });
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(a.data.upsertResident.household.id).toBe(b.data.upsertResident.household.id);
    const h = await t.gql(`query { households(gridCode: "${OTHER_GRID}") { id currentAddress members { name gender } } }`);
    expect(h.data.households).toEqual([{ id: a.data.upsertResident.household.id, currentAddress: address, members: [{ name: '王芳', gender: '2' }, { name: '刘强', gender: '1' }] }]);
  });

  it('accepts a 15-digit old number and stores it upgraded to 18', async () => {
    const res = await t.gql(UPSERT, { input: { idNumber: '110105491231002', gridCode: GRID, name: '赵桂兰', currentAddress: '桥北路1号' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertResident).toMatchObject({ idNumber: '11010519491231002X', birthDate: '1949-12-31', gender: '2' });
  });

  it('says DUPLICATE when creating a resident who exists and NOT_FOUND when updating one who does not', async () => {
    const dup = await t.gql(UPSERT, { input: { idNumber: elderId, gridCode: GRID, name: '张德明', currentAddress: 'x路1号' } });
    expect(dup.errors[0].extensions).toMatchObject({ code: 'DUPLICATE', path: ['input', 'idNumber'] });
    const missing = await t.gql(UPSERT, { input: { idNumber: idNumber('500106', '19900101', 1), expectedVersion: 1, name: '无此人' } });
    expect(missing.errors[0].extensions.code).toBe('NOT_FOUND');
    const read = await t.gql(READ, { idNumber: idNumber('500106', '19900101', 1) });
    expect(read.errors[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(read.errors[0].message).toMatch(/未找到/);
  });

  it('checks org units and staff references', async () => {
    const res = await t.gql(UPSERT, { input: { idNumber: idNumber('500106', '19800101', 3), gridCode: '500106108001', name: '钱进', currentAddress: 'x', liaisonStaff: 99999 } });
    const codes = res.errors[0].extensions.fieldErrors.map((e: any) => [e.path.join('.'), e.code]);
    expect(codes).toEqual(expect.arrayContaining([['input.gridCode', 'WRONG_ORG_LEVEL'], ['input.liaisonStaff', 'UNKNOWN_STAFF']]));
    const none = await t.gql(UPSERT, { input: { idNumber: idNumber('500106', '19800101', 3), name: '钱进', currentAddress: 'x' } });
    expect(none.errors[0].extensions.fieldErrors).toEqual([expect.objectContaining({ path: ['input', 'gridCode'], code: 'REQUIRED' })]);
    expect(await countRows(t.dataSource, 'residents')).toBe(4);
  });
});
