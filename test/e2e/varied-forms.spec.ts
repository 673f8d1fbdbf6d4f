import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';
import { binary } from '../support/http.js';

// Three department forms not in the house layout (../shared/forms/varied, VARIED.md), completed as templates V01–V03
// from files alone; templates/forms holds the copies the server reads.
const VARIED = path.resolve(import.meta.dirname, '../../../shared/forms/varied');
const COPIES = path.resolve(import.meta.dirname, '../../templates/forms');
const COMMUNITY = '500106108001';
const DAY = '2025-11-20';

function departmentForm(code: string): string {
  const shared = fs.existsSync(VARIED) ? fs.readdirSync(VARIED).find((f) => f.startsWith(`${code}_`) && f.endsWith('.xlsx')) : undefined;
  return shared ? path.join(VARIED, shared) : path.join(COPIES, `${code}.xlsx`);
}

/**
 * Each blank as VARIED.md and the file describe it: the header rows (V01 sets no print titles: title, subtitle with
 * the month, 填报单位 row, a three-row header), and the rows under its table (V02: 填报人/负责人, then two 说明 lines).
 */
const LAYOUTS = {
  V01: { header: [4, 6], trailer: [18, 18], notes: [] as string[] },
  V02: { header: [3, 3], trailer: [15, 17], notes: ['说明：1.', '2.出生年月'] },
  V03: { header: [3, 4], trailer: [16, 16], notes: [] as string[] },
} as const;

/** The blank's text as a pattern: its blanks (____, spaces before 年月日, an empty 填报单位) may be filled. */
function filledBlank(text: string): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/_+/g, '[^_]+').replace(/\s+(年|月|日)/g, '\\d+$1').replace(/：$/, '：.*')}$`);
}

const mergesOf = (ws: ExcelJS.Worksheet) => (ws.model as { merges?: string[] }).merges ?? [];
const rowsOf = (range: string) => /^[A-Z]+(\d+):[A-Z]+(\d+)$/.exec(range)!.slice(1).map(Number);
const shifted = (range: string, by: number) => range.replace(/(\d+)/g, (n) => String(Number(n) + by));
const style = (c: ExcelJS.Cell) => [c.style.font, c.style.border, c.style.alignment, c.style.fill];
const TRUE = isPostgres() ? 'true' : '1';
const FALSE = isPostgres() ? 'false' : '0';

describe(`V01–V03: department forms in their own layouts, exported cell by cell (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const exported = new Map<string, ExcelJS.Worksheet>();
  const grids = async () =>
    (await t.dataSource.query(`SELECT code, name FROM org_units WHERE parent_code = '${COMMUNITY}' ORDER BY sort_order, code`)) as { code: string; name: string }[];

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    // A few 60-year-olds with a family doctor, entered through the API like any fact (the fields are new in V02).
    const olds = await t.dataSource.query(`SELECT id_number, version FROM residents WHERE grid_code LIKE '${COMMUNITY}%' AND substr(id_number, 7, 8) <= '19600101' ORDER BY id_number LIMIT 3`);
    for (const [i, r] of olds.entries()) {
      const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }`, {
        i: { idNumber: r.id_number, expectedVersion: Number(r.version), familyDoctorSigned: i < 2, ...(i < 2 ? { familyDoctorName: `家庭医生${i}` } : {}) },
      });
      expect(res.errors).toBeUndefined();
    }
    for (const code of Object.keys(LAYOUTS)) {
      const res = await request(t.app.getHttpServer()).get(`/exports/${code}?orgUnit=${COMMUNITY}&date=${DAY}`).set(t.auth).buffer(true).parse(binary);
      expect([code, res.status]).toEqual([code, 200]);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(res.body);
      exported.set(code, book.worksheets[0]);
    }
  });
  afterAll(() => t.close());

  it('serves the blank forms the departments sent, byte for byte', () => {
    for (const code of Object.keys(LAYOUTS)) expect(fs.readFileSync(path.join(COPIES, `${code}.xlsx`)).equals(fs.readFileSync(departmentForm(code)))).toBe(true);
  });

  it.each(Object.keys(LAYOUTS))('%s: title, subtitle, unit/date row, header rows, notes and footer, merges, widths, page setup', async (code) => {
    const layout = LAYOUTS[code as keyof typeof LAYOUTS];
    const ws = exported.get(code)!;
    const blank = new ExcelJS.Workbook();
    await blank.xlsx.readFile(departmentForm(code));
    const bs = blank.worksheets[0];
    const [firstHeader, lastHeader] = layout.header;
    // The body: as many rows as the view has (a summary: one per grid and the 合计 row).
    const view = await t.gql(`{ formView(code: "${code}", orgUnit: "${COMMUNITY}", referenceDate: "${DAY}", first: 1) { totalCount } }`);
    const bodyRows = code === 'V03' ? (await grids()).length + 1 : view.data.formView.totalCount;
    expect(bodyRows).toBeGreaterThan(0);
    // The rows under the blank's table follow the last row, in the same order, with the same gaps.
    const trailerAt = lastHeader + 1 + bodyRows;
    const offset = trailerAt - layout.trailer[0];
    const pairs: [number, number][] = [];
    for (let r = 1; r <= lastHeader; r++) pairs.push([r, r]);
    for (let r = layout.trailer[0]; r <= layout.trailer[1]; r++) pairs.push([r, r + offset]);

    const filled: string[] = [];
    for (const [from, to] of pairs) {
      expect([to, ws.getRow(to).height]).toEqual([to, bs.getRow(from).height]);
      for (let c = 1; c <= bs.columnCount; c++) {
        const [cell, source] = [ws.getCell(to, c), bs.getCell(from, c)];
        if (source.isMerged && source.master !== source) expect([cell.address, cell.master.address]).toEqual([cell.address, shifted(source.master.address, to - from)]);
        else if (typeof source.value === 'string' && /_|：$|\s[年月日]/.test(source.value)) {
          expect(String(cell.value)).toMatch(filledBlank(source.value));
          filled.push(String(cell.value));
        } else expect([cell.address, cell.value]).toEqual([cell.address, source.value]);
        expect([cell.address, ...style(cell)]).toEqual([cell.address, ...style(source)]);
      }
    }
    expect(filled.join('|')).toMatch(code === 'V01' ? /^陈家桥街道桥北社区困难群众救助对象花名册\|（2025年11月）\|/ : /^桥北社区/);
    expect(filled.join('|')).toMatch(/填报单位（盖章）：桥北社区\|填报日期：\d{4}年\d{1,2}月\d{1,2}日/);
    expect(filled.filter((f) => /^(填表人|填报人|审核人|负责人|联系电话)：$/.test(f))).toHaveLength(3);
    for (const note of layout.notes) expect(filled.concat(pairs.map(([, to]) => String(ws.getCell(to, 1).value))).some((v) => v.startsWith(note))).toBe(true);

    // Merges: the header block's as in the blank; the notes' moved down with them; none in between.
    const expectedMerges = mergesOf(bs).flatMap((m) => {
      const [top, bottom] = rowsOf(m);
      if (bottom <= lastHeader) return [m];
      if (top >= layout.trailer[0]) return [shifted(m, offset)];
      return [];
    });
    expect([...mergesOf(ws)].sort()).toEqual(expectedMerges.sort());
    // Widths are the blank's; where it left Excel's default, a date column is widened so dates do not show as ####.
    for (let c = 1; c <= bs.columnCount; c++) {
      const [width, blankWidth] = [ws.getColumn(c).width, bs.getColumn(c).width];
      if (blankWidth) expect([c, width]).toEqual([c, blankWidth]);
      else expect([c, width ?? 9]).toEqual([c, ws.getCell(lastHeader + 1, c).numFmt === 'yyyy-mm-dd' ? 11 : 9]);
    }
    // Page setup as the blank's (V02 portrait); the header rows repeat on every printed page, print titles or not.
    const { orientation, fitToPage, fitToWidth, fitToHeight, paperSize } = bs.pageSetup;
    expect(ws.pageSetup).toMatchObject({ orientation, fitToPage, fitToWidth, fitToHeight, paperSize, printTitlesRow: `${firstHeader}:${lastHeader}` });
    expect(ws.pageSetup.orientation).toBe(code === 'V02' ? 'portrait' : 'landscape');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: lastHeader });
    // Body rows are bordered like the blank's.
    for (let c = 1; c <= bs.columnCount; c++) expect(ws.getCell(lastHeader + 1, c).border).toMatchObject({ top: { style: 'thin' } });
  });

  const body = (code: string) => {
    const ws = exported.get(code)!;
    const first = LAYOUTS[code as keyof typeof LAYOUTS].header[1] + 1;
    const rows: unknown[][] = [];
    for (let r = first; typeof ws.getCell(r, 2).value === 'string' || typeof ws.getCell(r, 1).value === 'number'; r++) {
      rows.push(Array.from({ length: ws.columnCount }, (_, c) => ws.getCell(r, c + 1).value ?? null));
    }
    return rows;
  };

  it('V01: residents with 低保 or 特困供养, by grid then name, each with the number of residents of their household', async () => {
    const expected = await t.dataSource.query(`
      SELECT r.name, r.id_number, h.current_address, g.name AS grid, r.phone, r.remarks,
        r.minimum_living_allowance AS dibao, r.extreme_poverty_support AS tekun,
        (SELECT COUNT(*) FROM residents m WHERE m.household_id = r.household_id AND (m.deregistered_on IS NULL OR m.deregistered_on > '${DAY}')) AS members
      FROM residents r JOIN households h ON h.id = r.household_id JOIN org_units g ON g.code = r.grid_code
      WHERE r.grid_code LIKE '${COMMUNITY}%' AND (r.minimum_living_allowance = ${TRUE} OR r.extreme_poverty_support = ${TRUE})
        AND (r.deregistered_on IS NULL OR r.deregistered_on > '${DAY}')
      ORDER BY g.sort_order, g.code, r.name, r.id_number`);
    expect(expected.length).toBeGreaterThan(1);
    const yes = (v: unknown) => (v === true || Number(v) === 1 ? '是' : '否');
    expect(body('V01')).toEqual(
      expected.map((e: Record<string, unknown>, i: number) => [
        i + 1, e.name, Number((e.id_number as string)[16]) % 2 ? '男' : '女', e.id_number, Number(e.members), e.current_address, yes(e.dibao), yes(e.tekun), e.phone ?? null, e.grid, e.remarks ?? null,
      ]),
    );
    // Some household has more than one member, or the column would not show it counts the household.
    expect(expected.some((e: { members: unknown }) => Number(e.members) > 1)).toBe(true);
  });

  it('V02: residents 60 or older on the day, by birth date, with the new family-doctor fields', async () => {
    const cutoff = `${Number(DAY.slice(0, 4)) - 60}${DAY.slice(5, 7)}${DAY.slice(8, 10)}`;
    const expected = await t.dataSource.query(`
      SELECT r.name, r.id_number, r.family_doctor_signed AS signed, r.family_doctor_name AS doctor, h.current_address, r.phone
      FROM residents r JOIN households h ON h.id = r.household_id
      WHERE r.grid_code LIKE '${COMMUNITY}%' AND substr(r.id_number, 7, 8) <= '${cutoff}' AND (r.deregistered_on IS NULL OR r.deregistered_on > '${DAY}')
      ORDER BY substr(r.id_number, 7, 8), r.id_number`);
    expect(expected.length).toBeGreaterThan(3);
    const rows = body('V02');
    expect(rows.map((r) => [r[0], r[1], r[5], r[7], r[8], r[9], r[10]])).toEqual(
      expected.map((e: Record<string, unknown>, i: number) => [i + 1, e.name, e.id_number, e.signed === true || Number(e.signed) === 1 ? '是' : '否', e.doctor ?? null, e.current_address, e.phone ?? null]),
    );
    for (const r of rows) {
      const id = r[5] as string;
      expect(r[3]).toBe(`${id.slice(6, 10)}.${id.slice(10, 12)}`);
      const age = Number(DAY.slice(0, 4)) - Number(id.slice(6, 10)) - (DAY.slice(5).replace('-', '') < id.slice(10, 14) ? 1 : 0);
      expect([id, r[4]]).toEqual([id, age]);
    }
    expect(rows.filter((r) => r[7] === '是')).toHaveLength(2);
    expect(rows.map((r) => r[8]).filter(Boolean).sort()).toEqual(['家庭医生0', '家庭医生1']);
  });

  it('V03: one row per grid of the community, floating residents by reason and residence permit, then 合计', async () => {
    const count = async (where: string) => {
      const rows = await t.dataSource.query(`SELECT grid_code, COUNT(*) AS n FROM residents WHERE grid_code LIKE '${COMMUNITY}%' AND registration_type = '2'
        AND (deregistered_on IS NULL OR deregistered_on > '${DAY}') AND ${where} GROUP BY grid_code`);
      return new Map(rows.map((r: { grid_code: string; n: unknown }) => [r.grid_code, Number(r.n)]));
    };
    const columns = await Promise.all([
      count('1 = 1'), count(`residence_reason = '1'`), count(`residence_reason = '2'`), count(`residence_reason = '3'`), count(`residence_reason IN ('4', '9')`),
      count(`residence_permit = ${TRUE}`), count(`(residence_permit = ${FALSE} OR residence_permit IS NULL)`),
    ]);
    const perGrid = (await grids()).map((g, i) => [i + 1, g.name, ...columns.map((m) => m.get(g.code) ?? 0), null]);
    const totals = [null, '合计', ...columns.map((_, k) => perGrid.reduce((sum, row) => sum + (row[k + 2] as number), 0)), null];
    expect(perGrid.length).toBeGreaterThan(1);
    expect(totals[2]).toBeGreaterThan(0);
    expect(body('V03').map((r) => r.map((v) => (v === '' ? null : v)))).toEqual([...perGrid, totals]);
  });
});
