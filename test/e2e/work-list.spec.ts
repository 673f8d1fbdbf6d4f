import { todayIso } from '../../src/identity/index.js';
import { idNumber } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const COMMUNITY = '500106108001'; // 桥北社区 (demo data)
const GRID = '500106108001001';
const PASSWORD = 'yibiaotong2026';

const WORK_LIST = `query ($org: String!, $first: Int, $after: String) { workList(orgUnit: $org, first: $first, after: $after) {
  orgUnitCode asOf totalCount pageInfo { hasNextPage endCursor }
  items { idNumber name dueDate grid { code name communityCode communityName } forms { code name period dueDate missing { field label } } }
  grids { grid { code name } residents forms fields } } }`;
const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { idNumber version } }`;

type Gql = TestApp['gql'];

/** Every item of the work list, page by page (200 at a time). */
async function allItems(gql: Gql, org: string): Promise<any[]> {
  const items: any[] = [];
  let after: string | null = null;
  for (;;) {
    const res: any = await gql(WORK_LIST, { org, first: 200, after });
    expect(res.errors).toBeUndefined();
    items.push(...res.data.workList.items);
    if (!res.data.workList.pageInfo.hasNextPage) return items;
    after = res.data.workList.pageInfo.endCursor;
  }
}

/**
 * 待完善 through the API on the demo data: a resident registered with gaps appears with exactly the empty fillable
 * columns of the form they are in and leaves once they are filled through upsertResident; a department sees its own
 * form only, masked, with counts matching a count written by hand in SQL; another community's account gets NOT_FOUND.
 */
describe(`work list (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let qiaobei: Gql;
  const year = Number(todayIso().slice(0, 4));
  const newcomer = idNumber('500106', `${year - 76}0412`, 23); // 76, a man: F01 once he lives alone

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    const login = await t.login('qiaobei', PASSWORD);
    qiaobei = async (query, variables) => (await import('supertest')).default(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${login.token}` }).send({ query, variables }).then((r) => r.body);
  }, 180_000);
  afterAll(() => t.close());

  it('lists a resident with gaps under the form they are in, with the empty columns a person fills, until they are filled', async () => {
    const registered = await qiaobei(UPSERT, { input: { idNumber: newcomer, gridCode: GRID, name: '新来的', currentAddress: '桥北路99号', livingArrangement: '1' } });
    expect(registered.errors).toBeUndefined();
    const before = await allItems(qiaobei, COMMUNITY);
    const item = before.find((i) => i.idNumber === newcomer);
    // F01's columns that a person types and that are empty: not the name, the ID number (and sex, birth date, age
    // from it), the address, the yes/no columns (answered when known, not chased), the latest visit, the grid or 备注.
    expect(item).toMatchObject({ name: '新来的', grid: { code: GRID, name: '第一网格', communityCode: COMMUNITY, communityName: '桥北社区' } });
    // He is 60 or older too: V02 (老年人健康管理) asks for his 健康状况 and 手机号码 (是否签约家庭医生 is a yes/no column).
    expect(item.forms.map((f: any) => f.code).sort()).toEqual(['F01', 'V02']);
    const f01 = item.forms.find((f: any) => f.code === 'F01');
    expect(item.forms.find((f: any) => f.code === 'V02').missing).toEqual([{ field: 'healthStatus', label: '健康状况' }, { field: 'phone', label: '联系电话' }]);
    expect(f01.missing).toEqual([
      { field: 'phone', label: '联系电话' },
      { field: 'healthStatus', label: '健康状况' },
      { field: 'emergencyContactName', label: '紧急联系人姓名' },
      { field: 'emergencyContactRelation', label: '紧急联系人与本人关系' },
      { field: 'emergencyContactPhone', label: '紧急联系人电话' },
    ]);
    // F01 is monthly, due the 10th of the next month: the month just ended while its 10th is ahead, else this month.
    const today = todayIso();
    const [y, m, d] = today.split('-').map(Number);
    const due = (yy: number, mm: number) => (mm === 13 ? `${yy + 1}-01-10` : `${yy}-${String(mm).padStart(2, '0')}-10`);
    expect(f01.dueDate).toBe(d <= 10 ? due(y, m) : due(y, m + 1));
    expect(item.dueDate).toBe(f01.dueDate); // the nearest: V02 is quarterly

    // Nearest due date first, then more forms first.
    for (let i = 1; i < before.length; i++) {
      const [a, b] = [before[i - 1], before[i]];
      expect(a.dueDate <= b.dueDate).toBe(true);
      if (a.dueDate === b.dueDate) expect(a.forms.length).toBeGreaterThanOrEqual(b.forms.length);
    }

    const first = await qiaobei(UPSERT, { input: { idNumber: newcomer, expectedVersion: 1, phone: '13912345678', healthStatus: '2' } });
    expect(first.errors).toBeUndefined();
    const partly = (await allItems(qiaobei, COMMUNITY)).find((i) => i.idNumber === newcomer);
    expect(partly.forms.map((f: any) => f.code)).toEqual(['F01']);
    expect(partly.forms[0].missing.map((f: any) => f.field)).toEqual(['emergencyContactName', 'emergencyContactRelation', 'emergencyContactPhone']);

    const rest = await qiaobei(UPSERT, { input: { idNumber: newcomer, expectedVersion: 2, emergencyContactName: '新来的儿子', emergencyContactRelation: '2', emergencyContactPhone: '13912345679' } });
    expect(rest.errors).toBeUndefined();
    const after = await allItems(qiaobei, COMMUNITY);
    expect(after.find((i) => i.idNumber === newcomer)).toBeUndefined();
    expect(after.length).toBe(before.length - 1);
  });

  it('counts per grid what a count written by hand counts, for a department that sees only its own form, masked', async () => {
    // A disabled resident with 民族, 户口性质, 就业情况 and 联系电话 still to enter (the demo data may have none).
    const disabled = await qiaobei(UPSERT, { input: { idNumber: idNumber('500106', `${year - 40}0101`, 35), gridCode: GRID, name: '残疾人甲', currentAddress: '桥北路98号', disabilityCategory: '4', disabilityGrade: '3' } });
    expect(disabled.errors).toBeUndefined();
    const canlian = await t.login('canlian', PASSWORD);
    const gql: Gql = async (query, variables) => (await import('supertest')).default(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${canlian.token}` }).send({ query, variables }).then((r) => r.body);
    const res = await gql(WORK_LIST, { org: COMMUNITY, first: 500 });
    expect(res.errors).toBeUndefined();
    const list = res.data.workList;
    // F05 (残疾人): its fillable columns are 民族, 残疾等级, 户口性质, 就业情况, 联系电话, 现居住地址.
    const expected: { grid_code: string; n: number }[] = await t.dataSource.query(
      `SELECT r.grid_code, COUNT(*) AS n FROM residents r JOIN households h ON h.id = r.household_id
        WHERE r.grid_code LIKE '${COMMUNITY}%' AND r.disability_category IS NOT NULL AND (r.deregistered_on IS NULL OR r.deregistered_on > '${todayIso()}')
          AND (r.ethnicity IS NULL OR r.disability_grade IS NULL OR r.hukou_nature IS NULL OR r.employment_status IS NULL
               OR r.phone IS NULL OR r.phone = '' OR h.current_address IS NULL OR h.current_address = '')
        GROUP BY r.grid_code`,
    );
    const counted = Object.fromEntries(expected.map((e) => [e.grid_code, Number(e.n)]));
        expect(Object.fromEntries(list.grids.map((g: any) => [g.grid.code, g.residents]).filter(([, n]: any) => n > 0))).toEqual(counted);
    expect(list.totalCount).toBe(Object.values(counted).reduce((a, b) => a + b, 0));
    expect(list.grids.every((g: any) => g.grid.code.startsWith(COMMUNITY))).toBe(true);
    expect(new Set(list.items.flatMap((i: any) => i.forms.map((f: any) => f.code)))).toEqual(new Set(['F05']));
    for (const i of list.items) expect(i.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
  });

  it('answers another community\'s account NOT_FOUND, and refuses a page size out of range', async () => {
    const tuqiao = await t.login('tuqiao', PASSWORD);
    const res = await (await import('supertest')).default(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${tuqiao.token}` }).send({ query: WORK_LIST, variables: { org: COMMUNITY } });
    expect(res.body.data).toBeNull();
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const big = await qiaobei(WORK_LIST, { org: COMMUNITY, first: 501 });
    expect(big.errors[0].extensions.code).toBe('VALIDATION_FAILED');
  });
});
