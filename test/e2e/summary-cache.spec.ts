import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { todayIso } from '../../src/identity/index.js';
import { queryDirect } from '../support/direct-db.js';
import { idNumber } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * F09 read through its per-grid cache (summary_counts, checked against grid_versions that triggers bump in every
 * writing transaction) stays exact: after each change through the API every cell equals counts the test computes
 * itself from the tables, and a second read is answered from the cache (a planted count comes back until the grid
 * changes).
 */
const DEMO_PASSWORD = 'yibiaotong2026';
const STREET = '500106108000';
const STREET_RANGE = ['500106108', '500106108:'];
const COUNTED = ['grids', 'households', 'residents', 'aged60Plus', 'elderlyLivingAlone', 'elderlyWithoutFamily', 'proneToWandering', 'disabled', 'veterans', 'floatingPopulation', 'visits'] as const;
type Counts = Record<(typeof COUNTED)[number], number>;

const VIEW = `query ($org: String!, $date: String) { formView(code: "F09", orgUnit: $org, referenceDate: $date) { referenceDate columns { key } rows } }`;
const q = (n: number) => (isPostgres() ? `$${n}` : '?');

/** yyyymmdd of the day `years` before `date` (29 February falls back to the 28th), as the birth part of an ID number. */
function yearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const year = y - years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return `${year}${String(m).padStart(2, '0')}${String(m === 2 && d === 29 && !leap ? 28 : d).padStart(2, '0')}`;
}

describe(`F09 through the per-grid cache (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let street: { gql: TestApp['gql'] };
  const today = todayIso();
  const sql = (text: string, params: unknown[] = []) => t.dataSource.query(text, params) as Promise<Record<string, any>[]>;

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    street = await t.as({ username: 'chenjiaqiao', password: DEMO_PASSWORD, role: 'admin' });
  }, 120_000);
  afterAll(() => t?.close());

  /** F09 as the API answers it: the counted cells per community name, 合计 included. */
  async function f09(date?: string): Promise<Record<string, Counts>> {
    const res = await t.gql(VIEW, { org: STREET, date: date ?? null });
    expect(res.errors).toBeUndefined();
    const { columns, rows } = res.data.formView;
    const at = (key: string) => columns.findIndex((c: { key: string }) => c.key === key);
    return Object.fromEntries(rows.map((r: unknown[]) => [r[at('communityName')], Object.fromEntries(COUNTED.map((k) => [k, r[at(k)]]))]));
  }

  /** The same counts from the tables, by rules written here from the forms' YAML (not by the code under test). */
  async function expected(date: string): Promise<Record<string, Counts>> {
    const communities = await sql(`SELECT code, name FROM org_units WHERE parent_code = ${q(1)} AND level = 'community'`, [STREET]);
    const grids = await sql(`SELECT code, parent_code FROM org_units WHERE level = 'grid' AND code >= ${q(1)} AND code < ${q(2)}`, STREET_RANGE);
    const residents = await sql(`SELECT id, grid_code, household_id, id_number, deregistered_on, living_arrangement, marital_status, children_count,
      prone_to_wandering, disability_category, enlistment_date, registration_type FROM residents`);
    const households = await sql('SELECT id, grid_code FROM households');
    const visits = await sql('SELECT resident_id, visit_date FROM visits');
    const communityOf = new Map(grids.map((g) => [String(g.code), String(g.parent_code)]));
    const byId = new Map(residents.map((r) => [Number(r.id), r]));
    const registered = (r: Record<string, any>, day: string) => r.deregistered_on === null || String(r.deregistered_on) > day;
    const aged60 = (r: Record<string, any>, day: string) => String(r.id_number).slice(6, 14) <= yearsBefore(day, 60);
    const yes = (v: unknown) => v === true || v === 1;
    const f01 = (r: Record<string, any>, day: string) => r.living_arrangement === '1' && aged60(r, day);
    const f02 = (r: Record<string, any>, day: string) => ['10', '30', '40'].includes(r.marital_status) && r.children_count !== null && Number(r.children_count) === 0 && aged60(r, day);
    const f03 = (r: Record<string, any>) => yes(r.prone_to_wandering);
    const out: Record<string, Counts> = {};
    const zero = () => Object.fromEntries(COUNTED.map((k) => [k, 0])) as Counts;
    for (const c of communities) out[c.name] = zero();
    const add = (grid: unknown, key: keyof Counts) => {
      const community = communities.find((c) => c.code === communityOf.get(String(grid)));
      if (community) out[community.name][key]++;
    };
    for (const g of grids) add(g.code, 'grids');
    for (const h of households) if (residents.some((r) => Number(r.household_id) === Number(h.id) && registered(r, date))) add(h.grid_code, 'households');
    for (const r of residents.filter((r) => registered(r, date))) {
      add(r.grid_code, 'residents');
      if (aged60(r, date)) add(r.grid_code, 'aged60Plus');
      if (f01(r, date)) add(r.grid_code, 'elderlyLivingAlone');
      if (f02(r, date)) add(r.grid_code, 'elderlyWithoutFamily');
      if (f03(r)) add(r.grid_code, 'proneToWandering');
      if (r.disability_category !== null) add(r.grid_code, 'disabled');
      if (r.enlistment_date !== null) add(r.grid_code, 'veterans');
      if (r.registration_type === '2') add(r.grid_code, 'floatingPopulation');
    }
    // F04: visits of the reference date's month to people registered on the visit day who were in F01–F03 that day.
    const month = date.slice(0, 7);
    for (const v of visits) {
      const day = String(v.visit_date);
      const r = byId.get(Number(v.resident_id))!;
      if (day.slice(0, 7) === month && registered(r, day) && (f01(r, day) || f02(r, day) || f03(r))) add(r.grid_code, 'visits');
    }
    out['合计'] = zero();
    for (const c of communities) for (const k of COUNTED) out['合计'][k] += out[c.name][k];
    return out;
  }

  async function exact(date?: string): Promise<Record<string, Counts>> {
    const shown = await f09(date);
    expect(shown).toEqual(await expected(date ?? today));
    return shown;
  }

  const resident = async (where: string, params: unknown[] = []) => (await sql(`SELECT id, id_number, grid_code, household_id, version FROM residents WHERE ${where} ORDER BY id`, params))[0];
  const cacheRows = async () => new Map((await sql(`SELECT grid_code, version FROM summary_counts WHERE form_code = 'F09' AND reference_date = ${q(1)}`, [today])).map((r) => [String(r.grid_code), Number(r.version)]));
  const ok = (res: { errors?: unknown }) => expect(res.errors).toBeUndefined();

  it('is exact after every kind of change, recounting only the grids that changed', async () => {
    const first = await exact();
    expect(first['合计'].residents).toBeGreaterThan(20);
    const grids = (await sql(`SELECT code FROM org_units WHERE level = 'grid' AND code >= ${q(1)} AND code < ${q(2)} ORDER BY code`, STREET_RANGE)).map((g) => String(g.code));
    expect([...(await cacheRows()).keys()].sort()).toEqual(grids);

    // A resident of 60 today registers (born 60 years ago today: in 60+ and, living alone, in F01).
    const grid = grids[0];
    const born = yearsBefore(today, 60);
    let before = await cacheRows();
    ok(await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', {
      i: { idNumber: idNumber('500106', born, 517), gridCode: grid, name: '六十岁', currentAddress: '缓存测试路1号', livingArrangement: '1' },
    }));
    const added = await exact();
    expect(added['合计'].aged60Plus - first['合计'].aged60Plus).toBe(1);
    expect(added['合计'].elderlyLivingAlone - first['合计'].elderlyLivingAlone).toBe(1);
    // Only that grid was counted again: the others' cached rows kept their versions.
    let after = await cacheRows();
    for (const g of grids) expect([g, after.get(g)! > before.get(g)!]).toEqual([g, g === grid]);

    // A resident moves to a grid of another community (the street office's transfer).
    const mover = await resident(`grid_code = ${q(1)} AND deregistered_on IS NULL AND registration_type = '2'`, [grid]);
    const otherCommunityGrid = grids.find((g) => g.slice(0, 12) !== grid.slice(0, 12))!;
    ok(await street.gql('mutation ($id: String!, $g: String, $v: Int) { transferResident(idNumber: $id, gridCode: $g, currentAddress: "缓存测试路2号", expectedVersion: $v) { id } }', { id: mover.id_number, g: otherCommunityGrid, v: Number(mover.version) }));
    const moved = await exact();
    expect(moved).not.toEqual(added);

    // A deregistration effective today.
    const leaver = await resident(`grid_code = ${q(1)} AND deregistered_on IS NULL AND id <> ${q(2)}`, [grids[1], mover.id]);
    ok(await t.gql('mutation ($id: String!, $v: Int, $d: String) { deregisterResident(idNumber: $id, reason: "9", effectiveDate: $d, note: "测试", expectedVersion: $v) { id } }', { id: leaver.id_number, v: Number(leaver.version), d: today }));
    const left = await exact();
    expect(left['合计'].residents).toBe(moved['合计'].residents - 1);

    // A visit today to someone in F01.
    const visited = await resident(`living_arrangement = '1' AND deregistered_on IS NULL AND grid_code >= ${q(1)} AND grid_code < ${q(2)} AND substr(id_number, 7, 8) <= ${q(3)}`, [...STREET_RANGE, yearsBefore(today, 61)]);
    const [staff] = await sql(`SELECT id FROM staff WHERE org_unit_code >= ${q(1)} AND org_unit_code < ${q(2)} ORDER BY id`, STREET_RANGE);
    ok(await t.gql('mutation ($i: RecordVisitInput!) { recordVisit(input: $i) { id } }', { i: { residentIdNumber: visited.id_number, staffId: Number(staff.id), visitDate: today, visitMethod: '1', disposition: '1' } }));
    const visitedNow = await exact();
    expect(visitedNow['合计'].visits).toBe(left['合计'].visits + 1);

    // A household moves to a grid of another community: its count goes with it, its residents stay where they are.
    const [household] = await sql(
      `SELECT h.id, h.version, h.grid_code FROM households h WHERE h.grid_code = ${q(1)} AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.deregistered_on IS NULL) ORDER BY h.id`,
      [grids[1]],
    );
    const target = grids.find((g) => g.slice(0, 12) !== String(household.grid_code).slice(0, 12))!;
    before = await cacheRows();
    ok(await t.gql('mutation ($i: UpsertHouseholdInput!) { upsertHousehold(input: $i) { id } }', { i: { id: Number(household.id), expectedVersion: Number(household.version), gridCode: target } }));
    const rehoused = await exact();
    expect(rehoused['合计'].households).toBe(visitedNow['合计'].households);
    expect(rehoused).not.toEqual(visitedNow);
    after = await cacheRows();
    expect(after.get(target)! > before.get(target)!).toBe(true);
    expect(after.get(String(household.grid_code))! > before.get(String(household.grid_code))!).toBe(true);
  }, 60_000);

  it('keeps ages and deregistrations exact at other reference dates', async () => {
    // Someone in the street turning 60 later on: counted from that day on, not the day before.
    const [turning] = await sql(
      `SELECT id_number FROM residents WHERE deregistered_on IS NULL AND grid_code >= ${q(1)} AND grid_code < ${q(2)} AND substr(id_number, 7, 8) > ${q(3)} ORDER BY substr(id_number, 7, 8)`,
      [...STREET_RANGE, yearsBefore(today, 60)],
    );
    const birth = String(turning.id_number).slice(6, 14);
    const birthday = `${Number(birth.slice(0, 4)) + 60}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
    const dayBefore = new Date(Date.parse(`${birthday}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const [older, younger] = [await exact(birthday), await exact(dayBefore)];
    expect(older['合计'].aged60Plus).toBeGreaterThan(younger['合计'].aged60Plus);
    // Yesterday: the resident deregistered today still counts.
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const [then, now] = [await exact(yesterday), await exact()];
    expect(then['合计'].residents).toBe(now['合计'].residents + 1);
  }, 60_000);

  it('answers a second read from the cache, and a write in the grid makes it count again', async () => {
    await exact();
    const [row] = await sql(`SELECT grid_code, counts FROM summary_counts WHERE form_code = 'F09' AND reference_date = ${q(1)} ORDER BY grid_code`, [today]);
    const grid = String(row.grid_code);
    // Plant a wrong count in the cached row (version untouched): a read that recounted would not show it.
    const planted = { ...JSON.parse(row.counts), residents: JSON.parse(row.counts).residents + 1000 };
    await t.app.get(UnitOfWork).run((m) => m.query(`UPDATE summary_counts SET counts = ${q(1)} WHERE form_code = 'F09' AND grid_code = ${q(2)} AND reference_date = ${q(3)}`, [JSON.stringify(planted), grid, today]));
    const truth = await expected(today);
    const [{ name }] = await sql(`SELECT c.name FROM org_units g JOIN org_units c ON c.code = g.parent_code WHERE g.code = ${q(1)}`, [grid]);
    expect((await f09())[name].residents).toBe(truth[name].residents + 1000);
    // Any change in that grid bumps its version: the planted count is gone.
    const someone = await resident(`grid_code = ${q(1)} AND deregistered_on IS NULL`, [grid]);
    ok(await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', { i: { idNumber: someone.id_number, expectedVersion: Number(someone.version), phone: '13900001111' } }));
    await exact();
  }, 60_000);

  it('never fails a read because the cache cannot be written', async () => {
    const db = t.config.database;
    const env = db.kind === 'postgres' ? { DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl } : { SQLITE_PATH: db.sqlitePath };
    const direct = (text: string) => queryDirect(env, text);
    const cached = async () => Number((await sql(`SELECT COUNT(*) AS n FROM summary_counts`))[0].n);
    await t.app.get(UnitOfWork).run((m) => m.query('DELETE FROM summary_counts'));
    // Every write to the cache refused (as a full disk or a lost primary would), behind the app's back.
    if (isPostgres()) {
      await direct(`CREATE FUNCTION test_refuse_cache() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'cache refused'; END $$`);
      await direct('CREATE TRIGGER test_refuse_cache BEFORE INSERT ON summary_counts FOR EACH ROW EXECUTE FUNCTION test_refuse_cache()');
    } else await direct(`CREATE TRIGGER test_refuse_cache BEFORE INSERT ON summary_counts BEGIN SELECT RAISE(ABORT, 'cache refused'); END`);
    try {
      await exact();
      await exact();
      expect(await cached()).toBe(0);
    } finally {
      await direct('DROP TRIGGER test_refuse_cache' + (isPostgres() ? ' ON summary_counts' : ''));
      if (isPostgres()) await direct('DROP FUNCTION test_refuse_cache()');
    }
    await exact();
    expect(await cached()).toBeGreaterThan(0);
  }, 60_000);
});
