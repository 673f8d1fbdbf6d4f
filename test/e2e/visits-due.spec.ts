import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { todayIso } from '../../src/identity/index.js';
import { idNumber } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const COMMUNITY = '500106108001'; // 桥北社区 (demo data)
const GRID = '500106108001001';
const PASSWORD = 'yibiaotong2026';
const ROOT = path.resolve(import.meta.dirname, '../..');

// A literal page size: the cost estimate takes a variable one as the largest page (500).
const visitsDue = (first = 100) => `query ($org: String!, $month: String!, $after: String) { visitsDue(orgUnit: $org, month: $month, first: ${first}, after: $after) {
  month referenceDate totalCount pageInfo { hasNextPage endCursor } groups { name form frequency periodFrom periodTo }
  residents { idNumber name groups lastVisitDate overdue grid { code name } }
  coverage { code name level parentName due visited overdue ratio } communities { code name due visited ratio } total { code due visited overdue ratio } } }`;
const VISITS_DUE = visitsDue();
const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { idNumber version } }`;
const VISIT = `mutation ($input: RecordVisitInput!) { recordVisit(input: $input) { id visitDate } }`;

type Gql = TestApp['gql'];

const monthOf = (day: string) => day.slice(0, 7);
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const t = y * 12 + m - 1 + n;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

/**
 * 本月待走访 through the API on the demo data: coverage per grid equals a count written by hand in SQL from the key
 * groups' own definitions; a key-group resident never visited is due and overdue, one visited last month is due but
 * not overdue, and a visit this month (recordVisit) takes them off; scoping and arguments; a bad visits.yaml stops
 * the start with file, path and reason.
 */
describe(`visits due (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let xiaxue: Gql;
  let staffId: number;
  const today = todayIso();
  const month = monthOf(today);
  const as = async (username: string): Promise<Gql> => {
    const { token } = await t.login(username, PASSWORD);
    return async (query, variables) => (await request(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${token}` }).send({ query, variables })).body;
  };

  /** Every resident due, page by page. */
  async function allDue(gql: Gql, org: string): Promise<any[]> {
    const out: any[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await gql(VISITS_DUE, { org, month, after });
      expect(res.errors).toBeUndefined();
      out.push(...res.data.visitsDue.residents);
      if (!res.data.visitsDue.pageInfo.hasNextPage) return out;
      after = res.data.visitsDue.pageInfo.endCursor;
    }
  }

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    xiaxue = await as('xiaxue');
    [{ id: staffId }] = await t.dataSource.query(`SELECT id FROM staff WHERE org_unit_code = '${GRID}' ORDER BY id LIMIT 1`);
  }, 180_000);
  afterAll(() => t.close());

  it('counts, per grid of a community, the key-group residents and those visited this month as SQL written by hand does', async () => {
    const qiaobei = await as('qiaobei');
    const res = await qiaobei(VISITS_DUE, { org: COMMUNITY, month });
    expect(res.errors).toBeUndefined();
    const v = res.data.visitsDue;
    expect(v.groups).toEqual([
      { name: '独居老人', form: 'F01', frequency: 'month', periodFrom: `${month}-01`, periodTo: expect.stringMatching(new RegExp(`^${month}-\\d\\d$`)) },
      { name: '孤寡老人', form: 'F02', frequency: 'month', periodFrom: `${month}-01`, periodTo: v.groups[0].periodTo },
      { name: '易走失人员', form: 'F03', frequency: 'month', periodFrom: `${month}-01`, periodTo: v.groups[0].periodTo },
    ]);
    // 60 or older today: born on or before this day 60 years ago.
    const cutoff = `${Number(today.slice(0, 4)) - 60}${today.slice(5, 7)}${today.slice(8, 10)}`;
    const yes = isPostgres() ? 'TRUE' : '1';
    const rows: { grid_code: string; due: number; visited: number }[] = await t.dataSource.query(
      `SELECT r.grid_code, COUNT(*) AS due,
              SUM(CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.resident_id = r.id AND v.visit_date >= '${month}-01' AND v.visit_date <= '${today}') THEN 1 ELSE 0 END) AS visited
         FROM residents r
        WHERE r.grid_code LIKE '${COMMUNITY}%' AND (r.deregistered_on IS NULL OR r.deregistered_on > '${today}')
          AND ((r.living_arrangement = '1' AND substr(r.id_number, 7, 8) <= '${cutoff}')
               OR (r.marital_status IN ('10', '30', '40') AND r.children_count = 0 AND substr(r.id_number, 7, 8) <= '${cutoff}')
               OR r.prone_to_wandering = ${yes})
        GROUP BY r.grid_code`,
    );
    const expected = Object.fromEntries(rows.map((r) => [r.grid_code, { due: Number(r.due), visited: Number(r.visited) }]));
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    const got = Object.fromEntries(v.coverage.filter((c: any) => c.due > 0).map((c: any) => [c.code, { due: c.due, visited: c.visited }]));
    expect(got).toEqual(expected);
    const due = rows.reduce((n, r) => n + Number(r.due), 0);
    const visited = rows.reduce((n, r) => n + Number(r.visited), 0);
    expect(v.total).toMatchObject({ code: COMMUNITY, due, visited });
    expect(v.total.ratio).toBeCloseTo(visited / due, 10);
    expect(v.communities).toEqual([{ code: COMMUNITY, name: '桥北社区', due, visited, ratio: v.total.ratio }]);
    expect(v.totalCount).toBe(due - visited);
    expect((await allDue(qiaobei, COMMUNITY)).length).toBe(due - visited);
    for (const c of v.coverage) expect(c).toMatchObject({ level: 'grid', parentName: '桥北社区' });
  });

  it('lists a key-group resident never visited as overdue, one visited last month as due, and drops them once visited this month', async () => {
    const year = Number(today.slice(0, 4));
    const lonely = idNumber('500106', `${year - 80}0101`, 41); // 80, lives alone: 独居老人
    const wandering = idNumber('500106', `${year - 30}0101`, 43); // 30, prone to wandering: 易走失人员
    for (const input of [
      { idNumber: lonely, gridCode: GRID, name: '独居甲', currentAddress: '桥北路101号', livingArrangement: '1' },
      { idNumber: wandering, gridCode: GRID, name: '走失乙', currentAddress: '桥北路102号', proneToWandering: true, wanderingReason: '1' },
    ]) expect((await xiaxue(UPSERT, { input })).errors).toBeUndefined();
    const lastMonth = `${addMonths(month, -1)}-15`;
    expect((await xiaxue(VISIT, { input: { residentIdNumber: wandering, staffId, visitDate: lastMonth, visitMethod: '1', disposition: '1' } })).errors).toBeUndefined();

    const before = await xiaxue(VISITS_DUE, { org: GRID, month });
    const list = await allDue(xiaxue, GRID);
    expect(list.find((r) => r.idNumber === lonely)).toEqual({ idNumber: lonely, name: '独居甲', groups: ['独居老人'], lastVisitDate: null, overdue: true, grid: { code: GRID, name: '第一网格' } });
    expect(list.find((r) => r.idNumber === wandering)).toMatchObject({ groups: ['易走失人员'], lastVisitDate: lastMonth, overdue: false });
    // Overdue first.
    expect(list.findIndex((r) => !r.overdue)).toBeGreaterThanOrEqual(list.filter((r) => r.overdue).length);

    for (const id of [lonely, wandering]) {
      expect((await xiaxue(VISIT, { input: { residentIdNumber: id, staffId, visitDate: today, visitMethod: '1', disposition: '1' } })).errors).toBeUndefined();
    }
    const after = await xiaxue(VISITS_DUE, { org: GRID, month });
    const left = await allDue(xiaxue, GRID);
    expect(left.map((r) => r.idNumber)).not.toContain(lonely);
    expect(left.map((r) => r.idNumber)).not.toContain(wandering);
    expect(left.length).toBe(list.length - 2);
    const [b, a] = [before.data.visitsDue.total, after.data.visitsDue.total];
    expect({ due: a.due, visited: a.visited, overdue: a.overdue }).toEqual({ due: b.due, visited: b.visited + 2, overdue: b.overdue - 1 });

    // Last month, as it stood at its end: the wandering one was visited then, the lonely one not.
    const earlier = await xiaxue(visitsDue(300), { org: GRID, month: addMonths(month, -1) });
    expect(earlier.errors).toBeUndefined();
    const ids = earlier.data.visitsDue.residents.map((r: any) => r.idNumber);
    expect(ids).toContain(lonely);
    expect(ids).not.toContain(wandering);
  });

  it('answers another community NOT_FOUND, a department FORBIDDEN, and refuses a bad or future month', async () => {
    const tuqiao = await as('tuqiao');
    const outside = await tuqiao(VISITS_DUE, { org: COMMUNITY, month });
    expect(outside.data).toBeNull();
    expect(outside.errors[0].extensions.code).toBe('NOT_FOUND');
    const minzheng = await as('minzheng');
    expect((await minzheng(VISITS_DUE, { org: COMMUNITY, month })).errors[0].extensions.code).toBe('FORBIDDEN');
    for (const [bad, code] of [['2026-13', 'INVALID_DATE'], ['十一月', 'INVALID_DATE'], [addMonths(month, 1), 'DATE_IN_FUTURE']]) {
      const res = await xiaxue(VISITS_DUE, { org: GRID, month: bad });
      expect(res.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', fieldErrors: [{ path: ['month'], code }] });
    }
  });

  it('does not start with a bad visits.yaml, and says which file, where and why', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-visits-'));
    fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'visits.yaml'), 'groups:\n  - { name: 独居老人, form: F01, frequency: weekly }\n');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env: { ...process.env, TEMPLATES_DIR: dir, PORT: '3999', JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef' }, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`一表通无法启动：${path.relative(ROOT, path.join(dir, 'visits.yaml'))} 中 groups[0].frequency："weekly" 不是可用的值：month、quarter、year`);
  });
});
