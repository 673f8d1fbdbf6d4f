import { ageOn, parseIdNumber, todayIso } from '../../src/identity/index.js';
import { SeedService } from '../../src/seed/seed.service.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

describe(`demo data on an empty database (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const today = todayIso();
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
  });
  afterAll(() => t.close());

  it('builds the hierarchy of the article plus invented places: ≥2 districts, ≥3 streets, ≥6 communities of 4 grids', async () => {
    const units: { code: string; name: string; level: string; parent_code: string | null }[] = await t.dataSource.query('SELECT code, name, level, parent_code FROM org_units');
    const of = (level: string) => units.filter((u) => u.level === level);
    expect(of('district').length).toBeGreaterThanOrEqual(2);
    expect(of('street').length).toBeGreaterThanOrEqual(3);
    expect(of('community').length).toBeGreaterThanOrEqual(6);
    for (const c of of('community')) expect(units.filter((u) => u.parent_code === c.code && u.level === 'grid')).toHaveLength(4);
    const names = units.map((u) => u.name);
    expect(names).toEqual(expect.arrayContaining(['沙坪坝区', '陈家桥街道', '桥北社区', '巴南区', '花溪街道', '土桥正街社区']));
    expect(units.find((u) => u.name === '沙坪坝区')!.code).toBe('500106000000');
    expect(units.find((u) => u.name === '巴南区')!.code).toBe('500113000000');
    for (const u of of('grid')) expect(u.code).toMatch(new RegExp(`^${u.parent_code}\\d{3}$`));
  });

  it('seeds about 2,000 residents with valid ID numbers', async () => {
    const rows: { id_number: string }[] = await t.dataSource.query('SELECT id_number FROM residents');
    expect(rows.length).toBeGreaterThanOrEqual(1900);
    expect(rows.length).toBeLessThanOrEqual(2100);
    for (const r of rows) expect(parseIdNumber(r.id_number, today)).toMatchObject({ ok: true });
  });

  it('gives every form F01–F09 rows in every community', async () => {
    const residents: any[] = await t.dataSource.query(
      `SELECT r.*, g.parent_code AS community FROM residents r JOIN org_units g ON g.code = r.grid_code`,
    );
    const age = (r: any) => ageOn(parseIdNumber(r.id_number, today).ok ? (parseIdNumber(r.id_number, today) as any).value.birthDate : '', today);
    const truthy = (v: unknown) => v === true || v === 1;
    const forms: Record<string, (r: any) => boolean> = {
      F01: (r) => r.living_arrangement === '1' && age(r) >= 60,
      F02: (r) => age(r) >= 60 && ['10', '30', '40'].includes(r.marital_status) && Number(r.children_count) === 0,
      F03: (r) => truthy(r.prone_to_wandering),
      F05: (r) => r.disability_category !== null,
      F06: (r) => r.enlistment_date !== null,
      F07: (r) => r.registration_type === '2',
    };
    const communities: { code: string; name: string }[] = await t.dataSource.query(`SELECT code, name FROM org_units WHERE level = 'community'`);
    const month = today.slice(0, 7);
    const visits: any[] = await t.dataSource.query(
      `SELECT v.visit_date, g.parent_code AS community FROM visits v JOIN residents r ON r.id = v.resident_id JOIN org_units g ON g.code = r.grid_code`,
    );
    const businesses: any[] = await t.dataSource.query(`SELECT g.parent_code AS community FROM businesses b JOIN org_units g ON g.code = b.grid_code`);
    for (const c of communities) {
      const here = residents.filter((r) => r.community === c.code);
      for (const [form, holds] of Object.entries(forms)) {
        expect([c.name, form, here.filter(holds).length > 0]).toEqual([c.name, form, true]);
      }
      const keyGroup = here.filter((r) => forms.F01(r) || forms.F02(r) || forms.F03(r));
      expect(keyGroup.length).toBeGreaterThan(0);
      expect([c.name, 'F04', visits.some((v) => v.community === c.code && String(v.visit_date).startsWith(month))]).toEqual([c.name, 'F04', true]);
      expect([c.name, 'F08', businesses.some((b) => b.community === c.code)]).toEqual([c.name, 'F08', true]);
    }
    for (const v of visits) expect(String(v.visit_date) <= today).toBe(true);
  });

  it('leaves a ledger that already has data alone', async () => {
    const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM residents');
    await t.app.get(SeedService).onApplicationBootstrap();
    await expect(t.app.get(SeedService).seed({ residents: 10 })).rejects.toMatchObject({ code: 'LEDGER_NOT_EMPTY' });
    expect(await t.dataSource.query('SELECT COUNT(*) AS n FROM residents')).toEqual(before);
  });

  it('serves the demo data through GraphQL', async () => {
    const [{ id_number }] = await t.dataSource.query(`SELECT id_number FROM residents WHERE living_arrangement = '1' ORDER BY id LIMIT 1`);
    const res = await t.gql(`query { resident(idNumber: "${id_number}") { name age livingArrangement grid { name } household { members { idNumber } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.resident.livingArrangement).toBe('1');
    expect(res.data.resident.household.members.map((m: any) => m.idNumber)).toContain(id_number);
  });
});
