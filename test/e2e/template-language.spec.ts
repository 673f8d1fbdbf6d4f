import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { ageOn, todayIso } from '../../src/identity/index.js';
import { writeBlankForm } from '../support/blank-forms.js';
import { COMMUNITY, GRID, GRID_2, idNumber, insertOrgFixture, OTHER_COMMUNITY, OTHER_GRID, STREET } from '../support/fixtures.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** yyyy-mm-dd some years and days before today. */
function daysBefore(years: number, days: number): string {
  const d = new Date(`${todayIso()}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

interface Person {
  name: string;
  birth: string;
  grid: string;
  alone?: boolean;
  floating?: { reason: string; permit?: boolean };
  oldAgeAllowance?: boolean;
  minimumLivingAllowance?: boolean;
}

/**
 * The template language's newer parts, through the API and the exported file, with two fixture forms (F92 a row
 * form, F93 a summary; test/fixtures/extra-templates): sorting by age, the 合计 label under 序号 with typed totals,
 * counts of another form's rows narrowed by conditions, a ratio column, yes/no cells nobody filled, and a street's
 * workbook holding only the summaries a form names.
 */
describe(`template language (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const today = todayIso();
  // A and B are both 85; B is older by birthday but sorts after A by name: the sort is by whole years, then name.
  const people: Person[] = [
    { name: '老人A', birth: daysBefore(85, 10), grid: GRID, alone: true, oldAgeAllowance: true, minimumLivingAllowance: false },
    { name: '老人B', birth: daysBefore(85, 200), grid: GRID },
    { name: '老人C', birth: daysBefore(70, 3), grid: GRID_2, floating: { reason: '1', permit: true } },
    { name: '青年D', birth: daysBefore(30, 3), grid: GRID, floating: { reason: '4' } },
    { name: '中年E', birth: daysBefore(40, 3), grid: GRID_2, floating: { reason: '9', permit: false } },
    { name: '老人F', birth: daysBefore(62, 3), grid: GRID_2, alone: true },
    { name: '老人H', birth: daysBefore(75, 3), grid: GRID_2 },
    { name: '中年G', birth: daysBefore(50, 3), grid: OTHER_GRID, floating: { reason: '1' } },
  ];
  const ids = people.map((p, i) => idNumber('500106', p.birth.replaceAll('-', ''), 20 + i * 2));
  const age = (p: Person) => ageOn(p.birth, today);

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-language-'));
    fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
    for (const f of ['F92.yaml', 'F93.yaml']) fs.copyFileSync(path.join(ROOT, 'test/fixtures/extra-templates', f), path.join(dir, f));
    await writeBlankForm(path.join(dir, 'forms/F92.xlsx'), '____街道____社区老年人待遇名册', ['序号', '姓名', '公民身份号码', '年龄', '现居住地址', ['享受待遇', '高龄津贴'], ['享受待遇', '低保']], [6, 8, 20, 6, 16, 8, 8]);
    await writeBlankForm(path.join(dir, 'forms/F93.xlsx'), '____街道____社区各网格流动人口与独居老人统计表', [
      '序号', '网格', ['流动人口', '总数'], ['流动人口', '务工'], ['流动人口', '其他事由'], ['流动人口', '未办居住证'], ['老年人', '60岁及以上'], ['老年人', '独居'], ['老年人', '独居占比（%）'],
    ]);
    t = await createTestApp({ env: { TEMPLATES_DIR: dir } });
    await insertOrgFixture(t.dataSource);
    for (const [i, p] of people.entries()) {
      const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }`, {
        i: {
          idNumber: ids[i], gridCode: p.grid, name: p.name, currentAddress: `长寿路${i + 1}号`,
          ...(p.alone ? { livingArrangement: '1' } : {}),
          ...(p.floating ? { registrationType: '2', residenceReason: p.floating.reason, ...(p.floating.permit !== undefined ? { residencePermit: p.floating.permit } : {}) } : {}),
          ...(p.oldAgeAllowance !== undefined ? { oldAgeAllowance: p.oldAgeAllowance } : {}),
          ...(p.minimumLivingAllowance !== undefined ? { minimumLivingAllowance: p.minimumLivingAllowance } : {}),
        },
      });
      expect(res.errors).toBeUndefined();
    }
  }, 120_000);
  afterAll(() => t.close());

  /** F92's rows as the inputs say: 60 and over in the community, oldest first, equal ages by name. */
  const expectedF92 = () =>
    people
      .filter((p) => p.grid !== OTHER_GRID && age(p) >= 60)
      .sort((a, b) => age(b) - age(a) || (a.name < b.name ? -1 : 1));

  it('sorts by whole years, then by the next key, across pages', async () => {
    const q = `query ($after: String) { elderlyByAge(orgUnit: "${COMMUNITY}", first: 2, after: $after) { rows { rowNumber name age } pageInfo { endCursor hasNextPage } } }`;
    const rows: { rowNumber: number; name: string; age: number }[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: any = await t.gql(q, { after });
      expect(res.errors).toBeUndefined();
      rows.push(...res.data.elderlyByAge.rows);
      after = res.data.elderlyByAge.pageInfo.hasNextPage ? res.data.elderlyByAge.pageInfo.endCursor : null;
      pages++;
    } while (after);
    const expected = expectedF92();
    expect(pages).toBe(Math.ceil(expected.length / 2));
    expect(rows).toEqual(expected.map((p, i) => ({ rowNumber: i + 1, name: p.name, age: age(p) })));
    // The birthday order would put B first: the two are the same age, so the name decides.
    expect(rows.slice(0, 2).map((r) => r.name)).toEqual(['老人A', '老人B']);
  });

  it('types the 合计 row: the label under 序号 as text, counts as integers, sums as the column', async () => {
    const res = await t.gql(`{ elderlyByAge(orgUnit: "${COMMUNITY}") { rows { name oldAgeAllowance minimumLivingAllowance } totals { rowNumber name idNumber age oldAgeAllowance minimumLivingAllowance } } }`);
    expect(res.errors).toBeUndefined();
    const expected = expectedF92();
    expect(res.data.elderlyByAge.totals).toEqual({
      rowNumber: '合计', name: null, idNumber: expected.length, age: expected.reduce((s, p) => s + age(p), 0),
      oldAgeAllowance: expected.filter((p) => p.oldAgeAllowance !== undefined).length, minimumLivingAllowance: null,
    });
    // Unfilled yes/no: empty unless the template names a word for it (F92's 低保: empty: 不享受).
    expect(res.data.elderlyByAge.rows).toEqual(expected.map((p) => ({
      name: p.name,
      oldAgeAllowance: p.oldAgeAllowance === undefined ? null : p.oldAgeAllowance ? '是' : '否',
      minimumLivingAllowance: p.minimumLivingAllowance ? '享受' : '不享受',
    })));
    const generic = await t.gql(`{ formView(code: "F92", orgUnit: "${COMMUNITY}") { totals } }`);
    expect(generic.data.formView.totals).toEqual(['合计', null, expected.length, expected.reduce((s, p) => s + age(p), 0), null, 1, null]);
  });

  /** F93's row for a set of people (a grid): counts from the inputs, the ratio from those counts. */
  function summaryOf(of: Person[]) {
    const floating = of.filter((p) => p.floating);
    const elderly = of.filter((p) => age(p) >= 60).length;
    const alone = of.filter((p) => p.alone && age(p) >= 60).length;
    return {
      floating: floating.length,
      workers: floating.filter((p) => p.floating!.reason === '1').length,
      otherReasons: floating.filter((p) => ['4', '9'].includes(p.floating!.reason)).length,
      permitMissing: floating.filter((p) => p.floating!.permit !== true).length,
      elderly,
      livingAlone: alone,
      aloneShare: elderly ? Math.round((alone / elderly) * 1000) / 10 : null,
    };
  }

  it('counts another form’s rows under conditions and divides two counts, the 合计 row in `totals`', async () => {
    const res = await t.gql(`{ gridFloatingAndElderly(orgUnit: "${COMMUNITY}") { totalCount keys rows { rowNumber grid floating workers otherReasons permitMissing elderly livingAlone aloneShare } totals { rowNumber grid floating workers otherReasons permitMissing elderly livingAlone aloneShare } } }`);
    expect(res.errors).toBeUndefined();
    const view = res.data.gridFloatingAndElderly;
    const grids = [GRID, GRID_2].map((g) => people.filter((p) => p.grid === g));
    expect(view.rows).toEqual([
      { rowNumber: 1, grid: '第一网格', ...summaryOf(grids[0]) },
      { rowNumber: 2, grid: '第二网格', ...summaryOf(grids[1]) },
    ]);
    // The totals' ratio is the ratio of the totals (not a sum nor a mean of the rows' ratios).
    expect(view.totals).toEqual({ rowNumber: '合计', grid: null, ...summaryOf([...grids[0], ...grids[1]]) });
    expect(view.totals.aloneShare).toBe(40);
    expect(view.totalCount).toBe(2);
    expect(view.keys).toHaveLength(2);
    // Nothing to divide by: an empty cell.
    const other = await t.gql(`{ gridFloatingAndElderly(orgUnit: "${OTHER_COMMUNITY}") { rows { elderly aloneShare workers } } }`);
    expect(other.data.gridFloatingAndElderly.rows).toEqual([{ elderly: 0, aloneShare: null, workers: 1 }]);
    // formView keeps its one shape for every form: the 合计 row is the last row.
    const generic = await t.gql(`{ formView(code: "F93", orgUnit: "${COMMUNITY}") { rows keys } }`);
    expect(generic.data.formView.rows.at(-1).slice(0, 3)).toEqual(['合计', null, 3]);
    expect(generic.data.formView.keys.at(-1)).toBe('total');
  });

  const exported = async (code: string, orgUnit: string) => {
    const res = await request(t.app.getHttpServer()).get(`/exports/${code}?orgUnit=${orgUnit}`).set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    return wb;
  };

  it('exports the row form with its typed 合计 row and empty unfilled yes/no cells', async () => {
    const ws = (await exported('F92', COMMUNITY)).worksheets[0];
    const expected = expectedF92();
    const body = expected.map((_, i) => (ws.getRow(5 + i).values as unknown[]).slice(1));
    expect(body.map((r) => r[1])).toEqual(expected.map((p) => p.name));
    expect(body.map((r) => r[5] ?? null)).toEqual(expected.map((p) => (p.oldAgeAllowance === undefined ? null : p.oldAgeAllowance ? '是' : '否')));
    expect(body.map((r) => r[6])).toEqual(expected.map(() => '不享受'));
    const totals = ws.getRow(5 + expected.length);
    expect(totals.getCell(1).value).toBe('合计');
    expect(totals.getCell(3).value).toBe(expected.length);
    expect(totals.getCell(4).value).toBe(expected.reduce((s, p) => s + age(p), 0));
  });

  it('reads its own export back as unchanged; a 否 typed under a plain yes/no column is an answer', async () => {
    const upload = (file: Buffer) => request(t.app.getHttpServer()).post('/imports').set(t.auth).field('form', 'F92').field('orgUnit', COMMUNITY).attach('file', file, 'F92.xlsx');
    const file = await request(t.app.getHttpServer()).get(`/exports/F92?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    // Empty 高龄津贴 cells say nothing; 不享受 under 低保 (empty: 不享受) says nothing either where the ledger has nothing.
    const same = await upload(file.body);
    expect(same.status).toBe(201);
    expect(same.body.summary).toMatchObject({ rows: expectedF92().length, unchanged: expectedF92().length, updates: 0, conflicts: 0, errors: 0 });
    // 否 typed into 老人B's empty 高龄津贴 cell: an answer the ledger lacks, filled in.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body);
    const at = expectedF92().findIndex((p) => p.name === '老人B');
    wb.worksheets[0].getCell(5 + at, 6).value = '否';
    const edited = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(edited.body.summary).toMatchObject({ updates: 1, unchanged: expectedF92().length - 1 });
    const rows = (await t.gql(`{ importPreview(id: ${edited.body.id}, kind: "update") { rows { subject changes { field ledger file } } } }`)).data.importPreview.rows;
    expect(rows).toEqual([{ subject: expect.any(String), changes: [{ field: 'oldAgeAllowance', ledger: null, file: false }] }]);
  });

  it('exports the summary with its ratio as a number and 合计 under 序号', async () => {
    const ws = (await exported('F93', COMMUNITY)).worksheets[0];
    const all = summaryOf(people.filter((p) => p.grid !== OTHER_GRID));
    const totals = (ws.getRow(7).values as unknown[]).slice(1);
    expect(totals).toEqual(['合计', undefined, all.floating, all.workers, all.otherReasons, all.permitMissing, all.elderly, all.livingAlone, all.aloneShare]);
    expect(ws.getRow(5).getCell(9).value).toBe(summaryOf(people.filter((p) => p.grid === GRID)).aloneShare);
  });

  it('ends a street workbook with the summaries the form names, and only those', async () => {
    const communities = (await t.gql(`{ orgUnits(parentCode: "${STREET}") { name } }`)).data.orgUnits.map((u: { name: string }) => u.name);
    expect(communities).toEqual(['桥北社区', '测试社区']);
    // F92 names F93; F01 names F09, and F93 (a summary added later) leaves F01's workbook as it was; F08 names none.
    expect((await exported('F92', STREET)).worksheets.map((w) => w.name)).toEqual([...communities, '各网格流动人口与独居老人统计表']);
    expect((await exported('F01', STREET)).worksheets.map((w) => w.name)).toEqual([...communities, '各社区重点人群统计汇总表']);
    expect((await exported('F08', STREET)).worksheets.map((w) => w.name)).toEqual(communities);
  });
});
