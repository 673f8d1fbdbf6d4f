import ExcelJS from 'exceljs';
import request from 'supertest';
import { binary } from '../support/http.js';
import { countRows, COMMUNITY, GRID, GRID_2, idNumber, insertOrgFixture, OTHER_COMMUNITY, OTHER_GRID, STREET } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * templates/rules.yaml through the real API: each rule fires when it should and stays quiet when it should not, an
 * error refuses the save and leaves nothing written, a warning is saved and answered on the mutation and on later
 * reads, and qualityWarnings lists it per org unit for those who may see it.
 */
const WARNING = '{ rule code severity message fields }';
const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { id idNumber version warnings ${WARNING} } }`;
const RESIDENT = `query ($id: String!) { resident(idNumber: $id) { idNumber warnings ${WARNING} } }`;

/** A birth date (yyyymmdd) `years` years and a few days before today, so the age is exactly `years` - 1 or `years`. */
function bornYearsAgo(years: number): string {
  const d = new Date();
  d.setFullYear(d.getFullYear() - years);
  d.setDate(d.getDate() - 40);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

describe(`data-quality rules (templates/rules.yaml) through the API (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let seq = 100;
  /** A new resident's ID number: a woman born in 1950 unless a birth date is given. */
  const newId = (birth = '19500601') => idNumber('500106', birth, (seq += 2));
  /** Residents each rule should list in the report, by rule id (filled as the tests make them). */
  const expected = new Map<string, Set<string>>();
  const expect$ = (rule: string, id: string) => expected.set(rule, new Set([...(expected.get(rule) ?? []), id]));

  async function save(input: Record<string, unknown>) {
    const res = await t.gql(UPSERT, { input });
    expect(res.errors).toBeUndefined();
    return res.data.upsertResident as { id: number; idNumber: string; version: number; warnings: { rule: string; code: string; severity: string; message: string; fields: string[] }[] };
  }
  const register = (fields: Record<string, unknown>, grid = GRID) => save({ idNumber: newId(), gridCode: grid, name: '测试居民', currentAddress: `桥北路${(seq += 2)}号`, ...fields });
  const rules = (r: { warnings: { rule: string }[] }) => r.warnings.map((w) => w.rule).sort();
  const warningsOf = async (id: string) => (await t.gql(RESIDENT, { id })).data.resident.warnings.map((w: { rule: string }) => w.rule).sort();
  const ledger = async () => [await countRows(t.dataSource, 'residents'), await countRows(t.dataSource, 'households'), await countRows(t.dataSource, 'audit_log')];

  async function refused(input: Record<string, unknown>) {
    const before = await ledger();
    const res = await t.gql(UPSERT, { input });
    expect(res.data).toBeNull();
    expect(res.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(await ledger()).toEqual(before);
    return (res.errors[0].extensions.fieldErrors as { path: string[]; code: string; message: string }[]).map((e) => [e.path.join('.'), e.code, e.message]);
  }

  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
  });
  afterAll(() => t.close());

  it('LIVING_ALONE_WITH_HOUSEHOLD: 独居 is quiet alone, and fires once someone else lives at the address', async () => {
    const alone = await register({ livingArrangement: '1', currentAddress: '桥北路1号' });
    expect(rules(alone)).toEqual([]);
    const other = await save({ idNumber: newId('19800101'), gridCode: GRID, name: '同住者', currentAddress: '桥北路1号', livingArrangement: '3' });
    expect(rules(other)).toEqual([]); // the newcomer does not live alone: nothing to say about them
    expect(await warningsOf(alone.idNumber)).toEqual(['LIVING_ALONE_WITH_HOUSEHOLD']);
    const edited = await save({ idNumber: alone.idNumber, expectedVersion: alone.version, phone: '13912340001' });
    expect(edited.warnings).toEqual([{
      rule: 'LIVING_ALONE_WITH_HOUSEHOLD', code: 'RULE_LIVING_ALONE_WITH_HOUSEHOLD', severity: 'warning', fields: ['livingArrangement', 'currentAddress'],
      message: expect.stringContaining('独居'),
    }]);
    expect$('LIVING_ALONE_WITH_HOUSEHOLD', alone.idNumber);
    // The same address in another grid is another household.
    expect(rules(await register({ livingArrangement: '1', currentAddress: '桥北路1号' }, GRID_2))).toEqual([]);
  });

  it('SUPPORTED_BUT_HAS_FAMILY: 特困供养 with children or a spouse warns; 孤寡 as F02 has them stays quiet', async () => {
    const withChildren = await register({ supportMode: '1', childrenCount: 2, maritalStatus: '30' });
    expect(rules(withChildren)).toEqual(['SUPPORTED_BUT_HAS_FAMILY']);
    const married = await register({ extremePovertySupport: true, maritalStatus: '22' });
    expect(rules(married)).toEqual(['SUPPORTED_BUT_HAS_FAMILY']);
    expect$('SUPPORTED_BUT_HAS_FAMILY', withChildren.idNumber);
    expect$('SUPPORTED_BUT_HAS_FAMILY', married.idNumber);
    expect(rules(await register({ supportMode: '2', childrenCount: 0, maritalStatus: '30' }))).toEqual([]);
    expect(rules(await register({ supportMode: '3', childrenCount: 3, maritalStatus: '20' }))).toEqual([]); // 未纳入
    expect(rules(await register({ childrenCount: 2, maritalStatus: '20' }))).toEqual([]);
  });

  it('DISABILITY_GRADE_WITHOUT_CATEGORY (error): refused at both fields, nothing written; with a category it saves', async () => {
    expect(await refused({ idNumber: newId(), gridCode: GRID, name: '王某', currentAddress: '桥北路90号', disabilityGrade: '2' })).toEqual([
      ['input.disabilityGrade', 'RULE_DISABILITY_GRADE_WITHOUT_CATEGORY', expect.stringContaining('残疾类别')],
      ['input.disabilityCategory', 'RULE_DISABILITY_GRADE_WITHOUT_CATEGORY', expect.stringContaining('残疾类别')],
    ]);
    const ok = await register({ disabilityCategory: '4', disabilityGrade: '2' });
    expect(rules(ok)).toEqual([]);
    // Clearing the category of a stored grade is the same mistake, made by an update.
    expect(await refused({ idNumber: ok.idNumber, expectedVersion: ok.version, disabilityCategory: null, disabilityGrade: '2' })).toHaveLength(2);
  });

  it('DISCHARGE_BEFORE_ENLISTMENT (error): refused; the same month or later is fine', async () => {
    const errors = await refused({ idNumber: newId(), gridCode: GRID, name: '老兵', currentAddress: '桥北路91号', enlistmentDate: '1970-03', dischargeDate: '1969-12' });
    expect(errors.map((e) => e.slice(0, 2))).toEqual([['input.dischargeDate', 'RULE_DISCHARGE_BEFORE_ENLISTMENT'], ['input.enlistmentDate', 'RULE_DISCHARGE_BEFORE_ENLISTMENT']]);
    expect(rules(await register({ enlistmentDate: '1970-03', dischargeDate: '1970-03' }))).toEqual([]);
    expect(rules(await register({ enlistmentDate: '1970-03', dischargeDate: '1976-12' }))).toEqual([]);
  });

  it('PHONE_IN_OTHER_HOUSEHOLD: the same phone in another household of the community warns both; same household or another community is quiet', async () => {
    const first = await register({ phone: '13700001111', currentAddress: '桥北路20号' });
    expect(rules(first)).toEqual([]);
    const slip = await register({ phone: '13700001111', currentAddress: '桥北路21号' }, GRID_2);
    expect(rules(slip)).toEqual(['PHONE_IN_OTHER_HOUSEHOLD']);
    expect(await warningsOf(first.idNumber)).toEqual(['PHONE_IN_OTHER_HOUSEHOLD']);
    expect$('PHONE_IN_OTHER_HOUSEHOLD', first.idNumber);
    expect$('PHONE_IN_OTHER_HOUSEHOLD', slip.idNumber);
    // One household sharing a landline.
    await register({ phone: '023-65001234', currentAddress: '桥北路22号' });
    expect(rules(await register({ phone: '023-65001234', currentAddress: '桥北路22号' }))).toEqual([]);
    // Another community (测试社区) may have the number too.
    expect(rules(await register({ phone: '13700002222', currentAddress: '桥北路23号' }))).toEqual([]);
    expect(rules(await register({ phone: '13700002222', currentAddress: '测试路1号' }, OTHER_GRID))).toEqual([]);
  });

  it('EMPLOYMENT_UNDER_16: 就业情况 on a 15-year-old warns; at 16, or without it, quiet', async () => {
    const child = await save({ idNumber: newId(bornYearsAgo(15)), gridCode: GRID, name: '小明', currentAddress: '桥北路30号', employmentStatus: '2' });
    expect(rules(child)).toEqual(['EMPLOYMENT_UNDER_16']);
    expect$('EMPLOYMENT_UNDER_16', child.idNumber);
    expect(rules(await save({ idNumber: newId(bornYearsAgo(16)), gridCode: GRID, name: '小红', currentAddress: '桥北路31号', employmentStatus: '1' }))).toEqual([]);
    expect(rules(await save({ idNumber: newId(bornYearsAgo(10)), gridCode: GRID, name: '小刚', currentAddress: '桥北路32号' }))).toEqual([]);
  });

  it('an error a record already had does not hold up an unrelated change: saved, listed with severity error; touching it is refused', async () => {
    const r = await register({ disabilityCategory: '1', disabilityGrade: '3' });
    // As an old ledger or a bulk load might have left it (written around the API).
    await t.dataSource.transaction((m) => m.query(`UPDATE residents SET disability_category = NULL WHERE id = ${Number(r.id)}`));
    const renamed = await save({ idNumber: r.idNumber, expectedVersion: r.version, name: '改名' });
    expect(renamed.warnings.map((w) => [w.rule, w.severity])).toEqual([['DISABILITY_GRADE_WITHOUT_CATEGORY', 'error']]);
    expect$('DISABILITY_GRADE_WITHOUT_CATEGORY', r.idNumber);
    expect(await refused({ idNumber: r.idNumber, expectedVersion: renamed.version, disabilityGrade: '4' })).toHaveLength(2);
  });

  describe('imports: the rules a row brings in are row errors and row warnings in the preview', () => {
    /** A form exported from this ledger with one cell changed: in the row whose `match` column shows `value`. */
    async function edited(form: string, match: [string, string], set: [string, string]): Promise<Buffer> {
      const res = await request(t.app.getHttpServer()).get(`/exports/${form}?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
      expect(res.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as unknown as ExcelJS.Buffer);
      const sheet = wb.worksheets[0];
      const columnOf = (header: string) => {
        for (let r = 1; r <= 5; r++) for (let c = 1; c <= sheet.columnCount; c++) if (sheet.getCell(r, c).text === header) return c;
        throw new Error(`${form} 没有"${header}"列`);
      };
      const [matchColumn, setColumn] = [columnOf(match[0]), columnOf(set[0])];
      let found = 0;
      sheet.eachRow((row) => {
        if (row.getCell(matchColumn).text === match[1]) {
          row.getCell(setColumn).value = set[1];
          found++;
        }
      });
      expect(found).toBe(1);
      return Buffer.from(await wb.xlsx.writeBuffer());
    }
    const preview = async (form: string, file: Buffer) => {
      const res = await request(t.app.getHttpServer()).post('/imports').set(t.auth).field('form', form).field('orgUnit', COMMUNITY).attach('file', file, `${form}.xlsx`);
      expect(res.status).toBe(201);
      const rows = (await t.gql(`{ importPreview(id: ${res.body.id}) { rows { kind errors { code header } warnings { code header } } } }`)).data.importPreview.rows;
      return rows as { kind: string; errors: { code: string; header: string }[]; warnings: { code: string; header: string }[] }[];
    };

    it('F06: 退役时间 before 入伍时间 in a row is that row\'s error (the commit would refuse it)', async () => {
      const rows = await preview('F06', await edited('F06', ['退役时间', '1976.12'], ['退役时间', '1969.12']));
      const bad = rows.filter((r) => r.errors.length);
      expect(bad).toHaveLength(1);
      expect(bad[0].errors.map((e) => [e.code, e.header])).toEqual([['RULE_DISCHARGE_BEFORE_ENLISTMENT', '退役时间']]);
      expect(rows.flatMap((r) => r.warnings).filter((w) => w.code.startsWith('RULE_'))).toEqual([]);
    });

    it('F02: 子女数 2 on a 分散供养 row is that row\'s warning; the rows as the ledger has them bring none', async () => {
      const rows = await preview('F02', await edited('F02', ['供养方式', '分散供养'], ['子女数', '2']));
      const warned = rows.filter((r) => r.warnings.some((w) => w.code.startsWith('RULE_')));
      expect(warned).toHaveLength(1);
      expect(warned[0].kind).toBe('conflict');
      expect(warned[0].warnings.filter((w) => w.code.startsWith('RULE_')).map((w) => w.code)).toEqual(['RULE_SUPPORTED_BUT_HAS_FAMILY']);
      expect(rows.flatMap((r) => r.errors)).toEqual([]);
    });
  });

  describe('qualityWarnings: the report per org unit', () => {
    const REPORT = `query ($org: String!, $first: Int, $after: String) { qualityWarnings(orgUnit: $org, first: $first, after: $after) {
      orgUnit orgUnitName residentsChecked residentsAffected byRule { rule severity count }
      residents { resident { idNumber phone gridCode } warnings { rule } } pageInfo { hasNextPage endCursor } } }`;

    it('counts each rule and lists the residents, for community staff, the street and a grid worker (own grid)', async () => {
      const community = await t.as({ username: 'q-community', role: 'community_staff', orgUnitCode: COMMUNITY });
      const res = await community.gql(REPORT, { org: COMMUNITY, first: 500 });
      expect(res.errors).toBeUndefined();
      const report = res.data.qualityWarnings;
      // Expected from what the tests entered, and the number on the ledger from SQL.
      const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM residents WHERE grid_code LIKE '${COMMUNITY}%' AND deregistered_on IS NULL`);
      expect(report.residentsChecked).toBe(Number(n));
      const counts = Object.fromEntries(report.byRule.map((r: { rule: string; count: number }) => [r.rule, r.count]));
      expect(counts).toEqual({
        LIVING_ALONE_WITH_HOUSEHOLD: 1, SUPPORTED_BUT_HAS_FAMILY: 2, DISABILITY_GRADE_WITHOUT_CATEGORY: 1, DISCHARGE_BEFORE_ENLISTMENT: 0,
        PHONE_IN_OTHER_HOUSEHOLD: 2, EMPLOYMENT_UNDER_16: 1,
      });
      for (const [rule, ids] of expected) {
        const listed = report.residents.filter((x: { warnings: { rule: string }[] }) => x.warnings.some((w) => w.rule === rule)).map((x: { resident: { idNumber: string } }) => x.resident.idNumber);
        expect([rule, listed.sort()]).toEqual([rule, [...ids].sort()]);
      }
      expect(report.residentsAffected).toBe(new Set([...expected.values()].flatMap((s) => [...s])).size);

      // Pages of 2 add up to the same list, in the same order.
      const paged: string[] = [];
      let after: string | null = null;
      do {
        const page: any = (await community.gql(REPORT, { org: COMMUNITY, first: 2, after })).data.qualityWarnings;
        paged.push(...page.residents.map((x: { resident: { idNumber: string } }) => x.resident.idNumber));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(paged).toEqual(report.residents.map((x: { resident: { idNumber: string } }) => x.resident.idNumber));

      const street = await t.as({ username: 'q-street', role: 'street_office', orgUnitCode: STREET });
      expect((await street.gql(REPORT, { org: STREET })).data.qualityWarnings.residentsAffected).toBe(report.residentsAffected);

      const worker = await t.as({ username: 'q-grid', role: 'grid_worker', orgUnitCode: GRID });
      const own = (await worker.gql(REPORT, { org: GRID, first: 500 })).data.qualityWarnings;
      expect(own.residents.map((x: { resident: { gridCode: string } }) => x.resident.gridCode).every((g: string) => g === GRID)).toBe(true);
      expect(own.residents.length).toBe(report.residents.filter((x: { resident: { gridCode: string } }) => x.resident.gridCode === GRID).length);
      expect((await worker.gql(REPORT, { org: COMMUNITY })).errors[0].extensions.code).toBe('NOT_FOUND');
    });

    it('rolls up per community and grid (every one listed, 0 included): counts from the residents entered, residents checked from SQL', async () => {
      const street = await t.as({ username: 'q-street-units', role: 'street_office', orgUnitCode: STREET });
      const res = await street.gql(`query ($org: String!) { qualityWarnings(orgUnit: $org, first: 1) { residentsChecked residentsAffected byRule { rule count }
        communities { code name level parentName residentsChecked residentsAffected byRule { rule count } }
        grids { code name level parentName residentsChecked residentsAffected byRule { rule count } } } }`, { org: STREET });
      expect(res.errors).toBeUndefined();
      const report = res.data.qualityWarnings;
      const ruleIds = report.byRule.map((r: { rule: string }) => r.rule);
      // Where each resident the tests made a rule hold for lives now, from SQL.
      const ids = [...new Set([...expected.values()].flatMap((s) => [...s]))];
      const gridOf = new Map<string, string>((await t.dataSource.query(
        `SELECT id_number, grid_code FROM residents WHERE id_number IN (${ids.map((id) => `'${id}'`).join(', ')})`)).map((r: { id_number: string; grid_code: string }) => [r.id_number, r.grid_code]));
      expect(gridOf.size).toBe(ids.length);
      const onLedger = new Map<string, number>((await t.dataSource.query(
        `SELECT grid_code, COUNT(*) AS n FROM residents WHERE deregistered_on IS NULL AND grid_code LIKE '${STREET.slice(0, 9)}%' GROUP BY grid_code`)).map((r: { grid_code: string; n: unknown }) => [r.grid_code, Number(r.n)]));
      const units: { code: string; name: string; level: string; parent_code: string }[] = await t.dataSource.query(
        `SELECT code, name, level, parent_code FROM org_units WHERE code LIKE '${STREET.slice(0, 9)}%' AND level IN ('community', 'grid') ORDER BY sort_order, code`);
      const nameOf = new Map<string, string>((await t.dataSource.query('SELECT code, name FROM org_units')).map((u: { code: string; name: string }) => [u.code, u.name]));
      const expectedOf = (u: { code: string; name: string; level: string; parent_code: string }) => {
        const inside = (id: string) => gridOf.get(id)!.startsWith(u.code);
        return {
          code: u.code, name: u.name, level: u.level, parentName: nameOf.get(u.parent_code),
          residentsChecked: [...onLedger].filter(([g]) => g.startsWith(u.code)).reduce((n, [, c]) => n + c, 0),
          residentsAffected: ids.filter(inside).length,
          byRule: ruleIds.map((rule: string) => ({ rule, count: [...(expected.get(rule) ?? [])].filter(inside).length })),
        };
      };
      const sorted = (list: { code: string }[]) => [...list].sort((a, b) => a.code.localeCompare(b.code));
      expect(sorted(report.grids)).toEqual(sorted(units.filter((u) => u.level === 'grid').map(expectedOf)));
      expect(sorted(report.communities)).toEqual(sorted(units.filter((u) => u.level === 'community').map(expectedOf)));
      expect(report.grids.length).toBe(3); // GRID, GRID_2, OTHER_GRID: one without findings is listed with 0
      // The roll-ups add up to the whole.
      expect(report.communities.reduce((n: number, c: { residentsAffected: number }) => n + c.residentsAffected, 0)).toBe(report.residentsAffected);
      expect(report.communities.reduce((n: number, c: { residentsChecked: number }) => n + c.residentsChecked, 0)).toBe(report.residentsChecked);

      // A grid: its own line, no community.
      const worker = await t.as({ username: 'q-grid-units', role: 'grid_worker', orgUnitCode: GRID });
      const own = (await worker.gql(`{ qualityWarnings(orgUnit: "${GRID}", first: 1) { communities { code } grids { code residentsAffected } } }`)).data.qualityWarnings;
      expect(own.communities).toEqual([]);
      expect(own.grids).toEqual([{ code: GRID, residentsAffected: expectedOf(units.find((u) => u.code === GRID)!).residentsAffected }]);
    });

    it('masks ID and phone numbers for an account without full values, refuses other areas and departments', async () => {
      const masked = await t.as({ username: 'q-masked', role: 'community_staff', orgUnitCode: COMMUNITY, fullValues: false });
      const rows = (await masked.gql(REPORT, { org: COMMUNITY, first: 500 })).data.qualityWarnings.residents;
      expect(rows.length).toBeGreaterThan(0);
      for (const x of rows) {
        expect(x.resident.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
        if (x.resident.phone) expect(x.resident.phone).toContain('****');
      }
      const other = await t.as({ username: 'q-other', role: 'community_staff', orgUnitCode: OTHER_COMMUNITY });
      expect((await other.gql(REPORT, { org: COMMUNITY })).errors[0].extensions.code).toBe('NOT_FOUND');
      const department = await t.as({ username: 'q-dept', role: 'department', orgUnitCode: '500106000000', department: '区民政局' });
      expect((await department.gql(REPORT, { org: COMMUNITY })).errors[0].extensions.code).toBe('FORBIDDEN');
    });
  });
});
