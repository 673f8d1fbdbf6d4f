import ExcelJS from 'exceljs';
import request from 'supertest';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const COMMUNITY = '500106108001'; // 桥北社区 in the demo data


describe(`Excel export in the department's layout (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
  });
  afterAll(() => t.close());

  const cases = [...['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08'].map((code) => [code, COMMUNITY, '桥北社区']), ['F09', '500106108000', '陈家桥街道']];
  it.each(cases)('exports %s for %s as its blank form plus the rows of formView', async (code, orgUnit, unitName) => {
    const res = await request(t.app.getHttpServer()).get(`/exports/${code}?orgUnit=${orgUnit}`).set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(res.headers['content-disposition'])![1])).toMatch(new RegExp(`^${unitName}.+-\\d{4}-\\d{2}(-\\d{2})?\\.xlsx$`));

    const exported = new ExcelJS.Workbook();
    await exported.xlsx.load(res.body);
    const ws = exported.worksheets[0];
    expect(ws.name).toBe(unitName); // the header block is compared with the blank form in export-layout.spec.ts
    const view = (await t.gql(`{ formView(code: "${code}", orgUnit: "${orgUnit}", first: 500) { columns { type } rows } }`)).data.formView;
    expect(view.rows.length).toBeGreaterThan(0);
    view.rows.forEach((row: unknown[], i: number) => {
      row.forEach((value, c) => {
        const cell = ws.getCell(5 + i, c + 1).value;
        const expected = value === '' ? null : value;
        if (cell instanceof Date) expect(cell.toISOString().slice(0, 10)).toBe(value);
        else expect([i, c, cell]).toEqual([i, c, expected]);
      });
    });
    const idColumn = ws.getRow(4).values as unknown[];
    const idAt = idColumn.findIndex((v) => v === '公民身份号码' || v === '经营者公民身份号码');
    if (idAt > 0) expect(typeof ws.getCell(5, idAt).value).toBe('string');
    expect(ws.getCell(5 + view.rows.length, 1).value).toBe('填表人：');
  });

  it('exports F04 for the month and F09 for the street, ending with the 合计 row', async () => {
    const f04 = await request(t.app.getHttpServer()).get(`/exports/F04?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    expect(f04.status).toBe(200);
    const month = new ExcelJS.Workbook();
    await month.xlsx.load(f04.body);
    expect(String(month.worksheets[0].getCell(1, 1).value)).toMatch(/^陈家桥街道桥北社区重点人群走访记录表（\d{4}年\d{1,2}月）$/);
    const f09 = await request(t.app.getHttpServer()).get('/exports/F09?orgUnit=500106108000').set(t.auth).buffer(true).parse(binary);
    const street = new ExcelJS.Workbook();
    await street.xlsx.load(f09.body);
    const ws = street.worksheets[0];
    expect(String(ws.getCell(1, 1).value)).toMatch(/^陈家桥街道各社区重点人群统计汇总表（截至\d{4}年\d{1,2}月\d{1,2}日）$/);
    const last = ws.rowCount - 1; // the footer follows the 合计 row
    expect(ws.getCell(last, 2).value).toBe('合计');
    expect(ws.getCell(last, 1).value).toBeNull();
    expect(ws.getCell(last, 5).value).toBe(Number(ws.getCell(5, 5).value) + Number(ws.getCell(6, 5).value));
  });

  it('exports CSV with a UTF-8 BOM, ID numbers intact and formulas defused', async () => {
    const { data } = await t.gql(`{ formView(code: "F01", orgUnit: "${COMMUNITY}", first: 1) { rows } }`);
    const id = data.formView.rows[0][5];
    const before = (await t.gql(`{ resident(idNumber: "${id}") { version } }`)).data.resident.version;
    const set = await t.gql(`mutation { upsertResident(input: { idNumber: "${id}", expectedVersion: ${before}, remarks: "=HYPERLINK(\\"http://x\\")" }) { remarks } }`);
    expect(set.errors).toBeUndefined();
    const res = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${COMMUNITY}&format=csv`).set(t.auth).buffer(true).parse(binary);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const text = res.body.toString('utf8');
    expect(text.startsWith('\uFEFF序号,姓名,性别')).toBe(true);
    expect(text).toContain(`,${id},`);
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
  });

  it('never turns a value starting with = + - @, a tab or a carriage return into a formula', async () => {
    const { data } = await t.gql(`{ formView(code: "F08", orgUnit: "${COMMUNITY}", first: 5) { rows } }`);
    expect(data.formView.rows.length).toBeGreaterThanOrEqual(5);
    const hostile = ['=1+1', '+86 1', '-2+3', '@SUM(A1)', '\t=cmd', '\r=cmd'];
    const businesses = (await t.gql(`{ businesses(gridCode: "${COMMUNITY}001") { id version } }`)).data.businesses;
    const targets = [...businesses, ...(await t.gql(`{ businesses(gridCode: "${COMMUNITY}002") { id version } }`)).data.businesses];
    for (const [i, value] of hostile.slice(0, targets.length).entries()) {
      const res = await t.gql(`mutation ($i: UpsertBusinessInput!) { upsertBusiness(input: $i) { id } }`, { i: { id: targets[i].id, expectedVersion: targets[i].version, businessRemarks: value } });
      expect(res.errors).toBeUndefined();
    }
    const file = await request(t.app.getHttpServer()).get(`/exports/F08?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body);
    const ws = wb.worksheets[0];
    const remarks: unknown[] = [];
    for (let r = 5; r < ws.rowCount; r++) remarks.push(ws.getCell(r, 13).value);
    const written = hostile.slice(0, targets.length).map((v) => v.trim());
    for (const value of written) expect(remarks).toContain(value);
    for (let r = 5; r < ws.rowCount; r++) for (let c = 1; c <= 13; c++) expect(ws.getCell(r, c).type).not.toBe(ExcelJS.ValueType.Formula);
  });

  it('exports a street as one sheet per community plus the street summary', async () => {
    const res = await request(t.app.getHttpServer()).get('/exports/F01?orgUnit=500106108000').set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(res.headers['content-disposition'])![1])).toMatch(/^陈家桥街道独居老人信息台账-/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    const communities = (await t.gql('{ orgUnits(parentCode: "500106108000") { name } }')).data.orgUnits.map((u: { name: string }) => u.name);
    expect(wb.worksheets.map((w) => w.name)).toEqual([...communities, '各社区重点人群统计汇总表']);
    for (const [i, name] of communities.entries()) expect(String(wb.worksheets[i].getCell(1, 1).value)).toBe(`陈家桥街道${name}独居老人信息台账`);
  });

  it('exports all forms of a community as one workbook, a sheet per form', async () => {
    const res = await request(t.app.getHttpServer()).get(`/exports/all?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets.map((w) => w.name.slice(0, 3))).toEqual(['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09', 'V01', 'V02', 'V03']);
    const streetOnly = await request(t.app.getHttpServer()).get('/exports/all?orgUnit=500106108000').set(t.auth);
    expect(streetOnly.status).toBe(400);
    expect(streetOnly.body.fieldErrors[0].code).toBe('UNSUPPORTED_EXPORT');
  });

  it('returns a download URL from the exportForm mutation that a browser can open: a ticket for that URL only', async () => {
    const res = await t.gql(`mutation { exportForm(code: "F05", orgUnit: "${COMMUNITY}") { url fileName rows } }`);
    expect(res.errors).toBeUndefined();
    const { url, fileName, rows } = res.data.exportForm;
    expect(url).toMatch(new RegExp(`^/exports/F05\\?orgUnit=${COMMUNITY}&ticket=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(fileName).toMatch(/^桥北社区残疾人基本信息台账-/);
    const file = await request(t.app.getHttpServer()).get(url).buffer(true).parse(binary); // no Authorization header
    expect(file.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body);
    expect(wb.worksheets[0].rowCount).toBe(4 + rows + 1);
    // The ticket opens that URL only: another form or another org unit is refused.
    for (const other of [url.replace('F05', 'F01'), url.replace(COMMUNITY, '500106108002'), url.replace('ticket=', 'ticket=x')]) {
      const refused = await request(t.app.getHttpServer()).get(other);
      expect([other, refused.status, refused.body.code]).toEqual([other, 401, 'UNAUTHENTICATED']);
    }
    const bad = await t.gql(`mutation { exportForm(code: "F99", orgUnit: "${COMMUNITY}") { url } }`);
    expect(bad.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('answers an unknown org unit with 404 and a Chinese message', async () => {
    const res = await request(t.app.getHttpServer()).get('/exports/F01?orgUnit=999').set(t.auth);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/区划/) });
  });
});
