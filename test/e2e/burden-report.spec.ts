import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import YAML from 'yaml';
import { DEMO_PASSWORD } from '../../src/seed/demo-accounts.js';
import { idNumber } from '../support/fixtures.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * The burden report against figures recomputed here from the raw sources: the audit rows read with SQL, the forms'
 * columns read from templates/*.yaml and the dictionary, and which forms each resident entered (from the inputs).
 */
const COMMUNITY = '500106108001';
const GRID = '500106108001001';
const STREET = '500106108000';
const DISTRICT = '500106000000';
const ROOT = path.resolve(import.meta.dirname, '../..');

type YamlColumn = Record<string, any>;
type YamlForm = { code: string; name: string; department: string; summary?: boolean; rows: { entity?: string }; reporting?: { filledBy?: string }; columns: YamlColumn[] };
const dictionary: { key: string; label: string; entity: string; derivedFrom?: string }[] = YAML.parse(fs.readFileSync(path.join(ROOT, 'templates/dictionary.yaml'), 'utf8')).fields;
const fieldOf = new Map(dictionary.map((f) => [f.key, f]));
const forms: YamlForm[] = fs.readdirSync(path.join(ROOT, 'templates')).filter((f) => /^[A-Z]\d+\.yaml$/.test(f)).sort()
  .map((f) => YAML.parse(fs.readFileSync(path.join(ROOT, 'templates', f), 'utf8')));

/** The facts a column's cells show, and how a row reaches the record holding each (read from the YAML as written). */
function factsOfColumn(c: YamlColumn): { field: string; link: string }[] {
  const linkOf = (key: string) => ({ resident: 'resident', household: 'household', staff: 'staff' } as Record<string, string>)[fieldOf.get(key)!.entity] ?? 'row';
  const plain = (key: string) => {
    const stored = fieldOf.get(key)!.derivedFrom ?? key;
    return { field: stored, link: linkOf(stored) };
  };
  if (c.age || c.band?.of === 'age') return [{ field: 'idNumber', link: 'resident' }];
  if (c.concat) return c.concat.map((p: { field: string }) => plain(p.field));
  if (c.latest === 'visit') return [{ field: c.field, link: 'latestVisit' }];
  if (c.field && c.related) return [...(fieldOf.has(c.related) ? [plain(c.related)] : []), plain(c.field)];
  if (c.field) return [plain(c.field)];
  return [];
}
const fieldsOfColumn = (c: YamlColumn) => [...new Set(factsOfColumn(c).map((d) => d.field))];
const departments = (d: string) => d.split(/[、,，/]/).map((x) => x.trim()).filter(Boolean);

function thisMonth(): { key: string; last: string } {
  const d = new Date();
  const [y, m] = [d.getFullYear(), d.getMonth() + 1];
  return { key: `${y}-${String(m).padStart(2, '0')}`, last: `${y}-${String(m).padStart(2, '0')}-${String(new Date(y, m, 0).getDate()).padStart(2, '0')}` };
}

const QUERY = `query ($o: String!, $p: String!) { burdenReport(orgUnit: $o, period: $p) {
  orgUnitCode orgUnitName period factsTyped changesTyped cellsFilled cellsPerFact formsWithoutTyping cellsProduced
  byForm { code name department columns sharedColumns copies rows cells cellsFilled }
  byField { field label forms columns formCodes factsTyped cellsFilled }
  overlap { departmentA departmentB sharedFields fields columnsA columnsB } } }`;

describe(`burden report (减负) (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let qiaobei: { Authorization: string };
  const month = thisMonth();
  const ids = {
    a: idNumber('500106', '19400510', 13), // 独居 elderly → F01
    b: idNumber('500106', '19750808', 24), // disabled, floating → F05, F07
    c: idNumber('500106', '19620301', 35), // veteran → F06
    d: idNumber('500106', '19820611', 47), // disabled, entered by import → F05
  };
  /** Which forms each resident is in, from the facts given below (V02: everyone 60 or older at the month's end). */
  const sixty = (id: string) => (Number(id.slice(6, 14)) <= Number(month.last.replace(/-/g, '')) - 600000 ? ['V02'] : []);
  const formsOf: Record<string, string[]> = { [ids.a]: ['F01', ...sixty(ids.a)], [ids.b]: ['F05', 'F07'], [ids.c]: ['F06', ...sixty(ids.c)], [ids.d]: ['F05'] };

  const gqlAs = async (auth: Record<string, string>, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    (await request(t.app.getHttpServer()).post('/graphql').set(auth).set(headers).send({ query, variables })).body;

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    qiaobei = { Authorization: `Bearer ${(await t.login('qiaobei', DEMO_PASSWORD)).token}` };
    const upsert = 'mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { version } }';
    const save = async (input: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const res = await gqlAs(qiaobei, upsert, { i: input }, headers);
      expect(res.errors).toBeUndefined();
      return res.data.upsertResident.version as number;
    };
    // Through the API…
    const a = await save({ idNumber: ids.a, gridCode: GRID, name: '减负甲', currentAddress: '桥北路801号', livingArrangement: '1', healthStatus: '2', phone: '13900000801' });
    await save({ idNumber: ids.a, expectedVersion: a, phone: '13900000802', emergencyContactName: '减负甲之子' });
    await save({ idNumber: ids.b, gridCode: GRID, name: '减负乙', currentAddress: '桥北路802号', disabilityCategory: '4', disabilityGrade: '2', registrationType: '2', arrivalDate: '2024-03-01', dwellingType: '2', landlordName: '房东丙' });
    // …through the page (source form)…
    const c = await save({ idNumber: ids.c, gridCode: GRID, name: '减负丙', currentAddress: '桥北路803号', enlistmentDate: '1980-11' }, { 'x-ybt-source': 'form' });
    await save({ idNumber: ids.c, expectedVersion: c, dischargeDate: '1985-10', employer: '桥北物业' }, { 'x-ybt-source': 'form' });
    // …a visit of the 独居 elderly resident (F04, and F01's 最近走访日期)…
    const [worker] = await t.dataSource.query(`SELECT id FROM staff WHERE org_unit_code LIKE '${COMMUNITY}%' ORDER BY id LIMIT 1`);
    const visit = await gqlAs(qiaobei, `mutation ($id: String!, $d: String!, $s: Int!) { recordVisit(input: { residentIdNumber: $id, staffId: $s, visitDate: $d, visitMethod: "1", disposition: "1", problemsFound: "无" }) { id } }`, { id: ids.a, d: localToday(), s: Number(worker.id) });
    expect(visit.errors).toBeUndefined();
    // …and through an import: the F05 ledger as exported, B's row edited and a new resident D added.
    const exported = await request(t.app.getHttpServer()).get(`/exports/F05?orgUnit=${COMMUNITY}`).set(qiaobei).buffer(true).parse(binary);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(exported.body);
    const ws = book.worksheets[0];
    let bRow: unknown[] = [];
    ws.eachRow((row) => {
      if (row.getCell(5).value === ids.b) bRow = (row.values as unknown[]).slice(1);
    });
    expect(bRow.length).toBeGreaterThan(10);
    for (let r = 5; r <= ws.rowCount; r++) for (let col = 1; col <= 16; col++) ws.getCell(r, col).value = null;
    const edited = [...bRow];
    edited[12] = '13900000888'; // 联系电话
    edited[15] = '导入补充';    // 备注
    const d = ['2', '减负丁', '男', '汉族', ids.d, `${ids.d}13`, '视力', '三级', null, null, null, null, '13900000804', '桥北路804号', bRow[14], null];
    [edited, d].forEach((values, i) => values.forEach((v, col) => (ws.getCell(5 + i, col + 1).value = v as ExcelJS.CellValue)));
    const file = Buffer.from(await book.xlsx.writeBuffer());
    const uploaded = await request(t.app.getHttpServer()).post('/imports').set(qiaobei).field('form', 'F05').field('orgUnit', COMMUNITY).attach('file', file, 'F05.xlsx');
    expect(uploaded.body.summary).toMatchObject({ rows: 2, creates: 1, errors: 0 });
    const committed = await gqlAs(qiaobei, `mutation { commitImport(id: ${uploaded.body.id}, onConflict: "take") { status committedRows } }`);
    expect(committed.data.commitImport).toMatchObject({ status: 'committed', committedRows: 2 });
  }, 180_000);
  afterAll(() => t.close());

  function localToday(): string {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  }

  /** The typed facts recomputed from the audit rows: (record, field) given a value by a person, per visible form set. */
  async function expected(visibleForms: YamlForm[], seesAll: boolean) {
    const lines: { entity: string; record_id: number; changes: string }[] = await t.dataSource.query(
      `SELECT entity, record_id, changes FROM audit_log WHERE source IN ('form', 'api', 'import') AND action IN ('create', 'update') AND entity IN ('resident', 'visit') ORDER BY id`);
    const residents: { id: number; id_number: string }[] = await t.dataSource.query(`SELECT id, id_number FROM residents WHERE id_number IN (${Object.values(ids).map((i) => `'${i}'`).join(', ')})`);
    const idNumberOf = new Map(residents.map((r) => [Number(r.id), r.id_number]));
    const [visit] = await t.dataSource.query(`SELECT v.id, r.id_number FROM visits v JOIN residents r ON r.id = v.resident_id WHERE r.id_number = '${ids.a}'`);
    const drawn = new Set(visibleForms.flatMap((f) => f.columns.flatMap(fieldsOfColumn)));
    const facts = new Map<string, { entity: string; idNumber: string; field: string }>();
    let changes = 0;
    for (const line of lines) {
      const who = line.entity === 'visit' ? (Number(line.record_id) === Number(visit.id) ? ids.a : null) : idNumberOf.get(Number(line.record_id));
      expect(who).toBeTruthy(); // in a fresh ledger every typed line is one of ours
      for (const c of JSON.parse(line.changes) as { field: string; after: unknown }[]) {
        const def = fieldOf.get(c.field);
        if (!def || !(def.entity === line.entity || (line.entity === 'resident' && def.entity === 'household'))) continue;
        if (c.after === null || c.after === '' || !(seesAll || drawn.has(c.field))) continue;
        changes++;
        facts.set(`${line.entity}:${line.record_id}:${c.field}`, { entity: line.entity, idNumber: who!, field: c.field });
      }
    }
    const cellsByForm = new Map<string, number>();
    const cellsByField = new Map<string, number>();
    for (const fact of facts.values()) {
      for (const form of visibleForms) {
        const count = (links: string[]) => form.columns.filter((c) => factsOfColumn(c).some((d) => d.field === fact.field && links.includes(d.link))).length;
        let cells = 0;
        if (fact.entity === 'resident' && formsOf[fact.idNumber].includes(form.code)) cells = count(['resident', 'household']);
        // A's visit is a row of F04 that shows A's facts (被走访人姓名).
        if (fact.entity === 'resident' && fact.idNumber === ids.a && form.code === 'F04') cells = count(['resident', 'household']);
        if (fact.entity === 'visit' && form.code === 'F04') cells = count(['row']); // the visit is this month's, of an F01 resident
        if (fact.entity === 'visit' && formsOf[fact.idNumber].includes(form.code)) cells += count(['latestVisit']);
        cellsByForm.set(form.code, (cellsByForm.get(form.code) ?? 0) + cells);
        cellsByField.set(fact.field, (cellsByField.get(fact.field) ?? 0) + cells);
      }
    }
    const cellsFilled = [...cellsByForm.values()].reduce((a, b) => a + b, 0);
    const factsByField = new Map<string, number>();
    for (const f of facts.values()) factsByField.set(f.field, (factsByField.get(f.field) ?? 0) + 1);
    return { factsTyped: facts.size, changes, cellsFilled, cellsByForm, cellsByField, factsByField };
  }

  /** Overlap and shared columns from the YAML: fields each department's columns ask for. */
  function expectedOverlap(visibleForms: YamlForm[]) {
    const names = [...new Set(visibleForms.flatMap((f) => departments(f.department)))];
    const formsOfDept = (d: string) => visibleForms.filter((f) => departments(f.department).includes(d));
    const fieldsOfDept = (d: string) => new Set(formsOfDept(d).flatMap((f) => f.columns.flatMap(fieldsOfColumn)));
    const pairs = new Map<string, { sharedFields: number; columnsA: number; columnsB: number }>();
    for (const a of names) {
      for (const b of names) {
        if (a >= b) continue;
        const shared = [...fieldsOfDept(a)].filter((x) => fieldsOfDept(b).has(x));
        const cols = (d: string) => formsOfDept(d).reduce((n, f) => n + f.columns.filter((c) => fieldsOfColumn(c).some((x) => shared.includes(x))).length, 0);
        pairs.set(`${a}|${b}`, { sharedFields: shared.length, columnsA: cols(a), columnsB: cols(b) });
      }
    }
    return pairs;
  }

  it('counts the typed facts from the audit log and the cells they fill, per form and per field', async () => {
    expect((await t.gql(`{ residentForms(idNumber: "${ids.b}") { code } }`)).data.residentForms.map((f: { code: string }) => f.code)).toEqual(formsOf[ids.b]);
    const want = await expected(forms, true);
    expect(want.factsTyped).toBeGreaterThan(20);
    const res = await gqlAs(qiaobei, QUERY, { o: COMMUNITY, p: month.key });
    expect(res.errors).toBeUndefined();
    const report = res.data.burdenReport;
    expect(report).toMatchObject({
      orgUnitCode: COMMUNITY, orgUnitName: '桥北社区', period: month.key, factsTyped: want.factsTyped, changesTyped: want.changes,
      cellsFilled: want.cellsFilled, cellsPerFact: Math.round((want.cellsFilled / want.factsTyped) * 100) / 100,
    });
    expect(report.cellsFilled).toBeGreaterThan(report.factsTyped);
    for (const form of forms) expect([form.code, report.byForm.find((f: { code: string }) => f.code === form.code)?.cellsFilled]).toEqual([form.code, want.cellsByForm.get(form.code) ?? 0]);
    for (const [field, n] of want.factsByField) {
      expect(report.byField.find((f: { field: string }) => f.field === field)).toMatchObject({ field, label: fieldOf.get(field)!.label, factsTyped: n, cellsFilled: want.cellsByField.get(field) ?? 0 });
    }
    // One ID number typed fills 公民身份号码, 性别, 年龄 … in each form the resident is in.
    const idNumberCells = forms.filter((f) => formsOf[ids.a].includes(f.code)).reduce((n, f) => n + f.columns.filter((c) => fieldsOfColumn(c).includes('idNumber')).length, 0);
    expect(idNumberCells).toBeGreaterThanOrEqual(4);
  });

  it('counts every form as produced without typing, with its rows and columns at the period\'s end', async () => {
    const report = (await gqlAs(qiaobei, QUERY, { o: COMMUNITY, p: month.key })).data.burdenReport;
    // The street fills F09, not the community; a community's own summary by grid (V03) is the community's.
    const summaries = forms.filter((f) => f.summary && f.reporting?.filledBy !== 'community').map((f) => f.code);
    expect(report.formsWithoutTyping).toBe(forms.length - summaries.length);
    for (const form of forms.filter((f) => !f.summary)) {
      const view = (await t.gql(`{ formView(code: "${form.code}", orgUnit: "${COMMUNITY}", referenceDate: "${month.last}", first: 1) { totalCount } }`)).data.formView;
      expect(report.byForm.find((f: { code: string }) => f.code === form.code)).toMatchObject({ code: form.code, name: form.name, department: form.department, columns: form.columns.length, copies: 1, rows: view.totalCount, cells: view.totalCount * form.columns.length });
    }
    const street = (await gqlAs(qiaobei, QUERY, { o: STREET, p: month.key })).errors;
    expect(street[0].extensions.code).toBe('NOT_FOUND'); // a community's account does not reach its street
    const chenjiaqiao = { Authorization: `Bearer ${(await t.login('chenjiaqiao', DEMO_PASSWORD)).token}` };
    const streetReport = (await gqlAs(chenjiaqiao, QUERY, { o: STREET, p: month.key })).data.burdenReport;
    const [{ n: communities }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM org_units WHERE level = 'community' AND parent_code = '${STREET}'`);
    expect(streetReport.formsWithoutTyping).toBe(Number(communities) * (forms.length - summaries.length) + summaries.length);
    const f09 = streetReport.byForm.find((f: { code: string }) => f.code === 'F09');
    expect(f09).toMatchObject({ copies: 1, rows: Number(communities) + 1 });
    // Rolled up: the street holds the community's typing, and the district the street's.
    expect([streetReport.factsTyped, streetReport.cellsFilled]).toEqual([report.factsTyped, report.cellsFilled]);
    const district = (await t.gql(QUERY, { o: DISTRICT, p: month.key })).data.burdenReport;
    expect([district.factsTyped, district.cellsFilled]).toEqual([report.factsTyped, report.cellsFilled]);
    // Last year: nothing typed then, the same forms produced.
    const before = (await gqlAs(qiaobei, QUERY, { o: COMMUNITY, p: String(new Date().getFullYear() - 1) })).data.burdenReport;
    expect(before).toMatchObject({ factsTyped: 0, cellsFilled: 0, cellsPerFact: null, formsWithoutTyping: report.formsWithoutTyping });
  });

  it('shows which forms and columns each fact feeds, and which departments ask for the same facts', async () => {
    const report = (await gqlAs(qiaobei, QUERY, { o: COMMUNITY, p: month.key })).data.burdenReport;
    for (const key of ['idNumber', 'name', 'phone', 'currentAddress', 'disabilityCategory']) {
      const using = forms.filter((f) => f.columns.some((c) => fieldsOfColumn(c).includes(key)));
      const columns = forms.reduce((n, f) => n + f.columns.filter((c) => fieldsOfColumn(c).includes(key)).length, 0);
      expect(report.byField.find((f: { field: string }) => f.field === key)).toMatchObject({ forms: using.length, columns, formCodes: using.map((f) => f.code) });
    }
    for (const form of forms) {
      const others = new Set(forms.filter((o) => o.code !== form.code).flatMap((o) => o.columns.flatMap(fieldsOfColumn)));
      const shared = form.columns.filter((c) => fieldsOfColumn(c).some((x) => others.has(x))).length;
      expect([form.code, report.byForm.find((f: { code: string }) => f.code === form.code).sharedColumns]).toEqual([form.code, shared]);
    }
    const want = expectedOverlap(forms);
    const got = new Map(report.overlap.map((o: any) => [[o.departmentA, o.departmentB].sort().join('|'), { sharedFields: o.sharedFields, columnsA: o.departmentA < o.departmentB ? o.columnsA : o.columnsB, columnsB: o.departmentA < o.departmentB ? o.columnsB : o.columnsA }]));
    expect(got).toEqual(want);
    const civil = report.overlap.find((o: any) => [o.departmentA, o.departmentB].sort().join() === ['区残疾人联合会', '区民政局'].sort().join());
    expect(civil.fields).toEqual(expect.arrayContaining(['公民身份号码', '姓名', '联系电话', '现居住地址']));
  });

  it('writes the same figures to an .xlsx, audited as an export with the file\'s SHA-256', async () => {
    const report = (await gqlAs(qiaobei, QUERY, { o: COMMUNITY, p: month.key })).data.burdenReport;
    const res = await request(t.app.getHttpServer()).get(`/burden/report.xlsx?orgUnit=${COMMUNITY}&period=${month.key}`).set(qiaobei).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(decodeURIComponent(String(res.headers['content-disposition']))).toContain(`桥北社区减负报告-${month.key}.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body);
    expect(book.worksheets.map((w) => w.name)).toEqual(['概况', '各表单', '各字段', '部门重叠']);
    const summary = new Map<string, unknown>();
    book.getWorksheet('概况')!.eachRow((row, n) => n > 2 && summary.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(Object.fromEntries(summary)).toMatchObject({
      区划代码: COMMUNITY, 人工录入的事实: report.factsTyped, 填入部门表单的单元格: report.cellsFilled, 每个事实填入的单元格: report.cellsPerFact,
      '无需另行填写的表单（份）': report.formsWithoutTyping, 这些表单的单元格: report.cellsProduced,
    });
    const formRows: unknown[][] = [];
    book.getWorksheet('各表单')!.eachRow((row, n) => n > 1 && formRows.push((row.values as unknown[]).slice(1)));
    expect(book.getWorksheet('各表单')!.getRow(1).values).toEqual([undefined, '表单代码', '表单名称', '部门', '列数', '与其他表单相同的列', '份数', '行数', '单元格', '本期录入填入的单元格']);
    expect(formRows).toEqual(report.byForm.map((f: any) => [f.code, f.name, f.department, f.columns, f.sharedColumns, f.copies, f.rows, f.cells, f.cellsFilled]));
    const fieldRows = book.getWorksheet('各字段')!.rowCount - 1;
    expect(fieldRows).toBe(report.byField.length);
    const overlapRows: unknown[][] = [];
    book.getWorksheet('部门重叠')!.eachRow((row, n) => n > 1 && overlapRows.push((row.values as unknown[]).slice(1, 4)));
    expect(overlapRows).toEqual(report.overlap.map((o: any) => [o.departmentA, o.departmentB, o.sharedFields]));

    const [line] = await t.dataSource.query(`SELECT username, entity, filter, row_count FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1`);
    const filter = JSON.parse(String(line.filter));
    expect([line.username, line.entity]).toEqual(['qiaobei', 'burden']);
    expect(filter).toMatchObject({ orgUnit: COMMUNITY, period: month.key, sha256: createHash('sha256').update(res.body).digest('hex'), bytes: res.body.length });
  });

  it('shows a department the figures of its own forms only, and another district nothing', async () => {
    const canlian = { Authorization: `Bearer ${(await t.login('canlian', DEMO_PASSWORD)).token}` };
    const report = (await gqlAs(canlian, QUERY, { o: STREET, p: month.key })).data.burdenReport;
    const own = forms.filter((f) => departments(f.department).includes('区残疾人联合会'));
    expect(report.byForm.map((f: { code: string }) => f.code)).toEqual(own.map((f) => f.code));
    const want = await expected(own, false);
    expect(report).toMatchObject({ factsTyped: want.factsTyped, cellsFilled: want.cellsFilled });
    expect(report.overlap).toEqual([]);

    const tuqiao = { Authorization: `Bearer ${(await t.login('tuqiao', DEMO_PASSWORD)).token}` };
    for (const unit of [COMMUNITY, STREET, DISTRICT]) {
      const refused = await gqlAs(tuqiao, QUERY, { o: unit, p: month.key });
      expect([refused.data, refused.errors[0].extensions.code]).toEqual([null, 'NOT_FOUND']);
      const file = await request(t.app.getHttpServer()).get(`/burden/report.xlsx?orgUnit=${unit}&period=${month.key}`).set(tuqiao);
      expect([file.status, file.body.code]).toEqual([404, 'NOT_FOUND']);
    }
    const anonymous = await request(t.app.getHttpServer()).get(`/burden/report.xlsx?orgUnit=${COMMUNITY}&period=${month.key}`);
    expect(anonymous.status).toBe(401);
    const bad = await gqlAs(qiaobei, QUERY, { o: COMMUNITY, p: '2026-13' });
    expect(bad.errors[0].extensions.fieldErrors[0]).toMatchObject({ path: ['period'], code: 'INVALID_PERIOD' });
  });
});
