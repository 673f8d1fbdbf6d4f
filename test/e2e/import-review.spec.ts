import ExcelJS from 'exceljs';
import request from 'supertest';
import { DEMO_PASSWORD } from '../../src/seed/demo-accounts.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';
import { deflateHuge } from '../unit/import/support/raw-zip.js';
import { rawXlsx } from '../unit/import/support/xlsx-files.js';

const COMMUNITY = '500106108001';

describe(`import: conflicts, errors, hostile files, scope (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
  });
  afterAll(() => t.close());

  const upload = (file: Buffer, form = 'F05', orgUnit = COMMUNITY, auth = t.auth) =>
    request(t.app.getHttpServer()).post('/imports').set(auth).field('form', form).field('orgUnit', orgUnit).attach('file', file, `${form}台账.xlsx`);

  /** The community's F05 as exported, edited like a person would in Excel. */
  async function editedF05(edit: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
    const res = await request(t.app.getHttpServer()).get(`/exports/F05?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    edit(wb.worksheets[0]);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
  const PHONE = 13; // F05 联系电话
  const REMARKS = 16; // F05 备注

  it('shows a differing value as a conflict, keeps the ledger or takes the file as chosen, audited as an import', async () => {
    let idNumber = '';
    const file = await editedF05((ws) => {
      idNumber = String(ws.getCell(5, 5).value);
      ws.getCell(5, PHONE).value = '13000000001';
    });
    const preview = (await upload(file)).body;
    expect(preview.summary).toMatchObject({ conflicts: 1, errors: 0 });
    const rows = (await t.gql(`{ importPreview(id: ${preview.id}, kind: "conflict") { total rows { row kind subject conflicts { field label ledger file } } } }`)).data.importPreview;
    expect(rows.rows[0]).toMatchObject({ row: 5, kind: 'conflict', subject: idNumber, conflicts: [{ field: 'phone', label: '联系电话', file: '13000000001' }] });
    const before = rows.rows[0].conflicts[0].ledger;
    const phone = async () => (await t.gql(`{ resident(idNumber: "${idNumber}") { phone } }`)).data.resident.phone;

    await t.gql(`mutation { commitImport(id: ${preview.id}, onConflict: "keep") { status } }`);
    expect(await phone()).toBe(before);
    const taken = (await upload(await editedF05((ws) => void (ws.getCell(5, PHONE).value = '13000000001')))).body;
    expect((await t.gql(`mutation { commitImport(id: ${taken.id}, onConflict: "take") { status committedRows } }`)).data.commitImport).toMatchObject({ status: 'committed', committedRows: 1 });
    expect(await phone()).toBe('13000000001');
    const history = (await t.gql(`{ residentHistory(idNumber: "${idNumber}") { source changes { field before after } } }`)).data.residentHistory;
    expect(history[0]).toMatchObject({ source: 'import', changes: [{ field: 'phone', before, after: '13000000001' }] });
    const [entry] = (await t.gql('{ auditLog(action: "import", first: 1) { filter rowCount } }')).data.auditLog;
    expect(entry.filter).toMatchObject({ sha256: taken.sha256, onConflict: 'take' });
  });

  it('refuses to commit while rows have errors, commits the valid rows only when asked, and marks the errors in the user\'s workbook', async () => {
    const file = await editedF05((ws) => {
      ws.getCell(6, 5).value = '500106195712213530'; // wrong check character
      ws.getCell(7, 7).value = '天生'; // not a 残疾类别
      ws.getCell(8, REMARKS).value = '已核实（导入）';
    });
    const preview = (await upload(file)).body;
    expect(preview.summary).toMatchObject({ errors: 2, updates: 1 });
    const errors = (await t.gql(`{ importPreview(id: ${preview.id}, kind: "error") { rows { row errors { column header value code message } } } }`)).data.importPreview.rows;
    expect(errors.map((r: { row: number }) => r.row)).toEqual([6, 7]);
    expect(errors[0].errors[0]).toMatchObject({ column: 5, value: '500106195712213530', code: 'ID_CHECKSUM' });
    expect(errors[1].errors[0]).toMatchObject({ column: 7, header: '残疾类别', value: '天生' });

    const refused = await t.gql(`mutation { commitImport(id: ${preview.id}) { status } }`);
    expect(refused.errors[0].extensions.fieldErrors[0].code).toBe('IMPORT_HAS_ERRORS');
    const link = (await t.gql(`{ importPreview(id: ${preview.id}) { import { errorsUrl } } }`)).data.importPreview.import.errorsUrl;
    const report = await request(t.app.getHttpServer()).get(link).buffer(true).parse(binary);
    expect(report.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(report.body);
    const [sheet, list] = [wb.worksheets[0], wb.getWorksheet('错误清单')!];
    expect(sheet.getCell(6, 5).value).toBe('500106195712213530'); // the user's own cell, highlighted and commented
    expect(sheet.getCell(6, 5).fill).toMatchObject({ fgColor: { argb: 'FFFFC7CE' } });
    expect(String(sheet.getCell(6, 5).note)).toMatch(/校验/);
    expect(list.getRow(2).values).toEqual([undefined, 6, 'E', '公民身份号码', '500106195712213530', expect.stringMatching(/校验/)]);
    expect(list.getRow(3).values).toEqual([undefined, 7, 'G', '残疾类别', '天生', expect.stringMatching(/残疾类别/)]);

    const partial = await t.gql(`mutation { commitImport(id: ${preview.id}, validRowsOnly: true) { status committedRows } }`);
    expect(partial.data.commitImport).toMatchObject({ status: 'committed', committedRows: 1 });
  });

  it('answers hostile and broken files with a clear error, stores nothing, and keeps answering others meanwhile', async () => {
    const count = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM imports'))[0].n);
    const before = await count();
    const csv = await upload(Buffer.from('序号,姓名\n1,张三\n'));
    expect([csv.status, csv.body.code]).toEqual([400, 'NOT_XLSX']);
    expect(csv.body.message).toMatch(/xlsx/);
    const bomb = await deflateHuge('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>', ' ', 1024 ** 3);
    const file = rawXlsx({ sheet: '', override: { 'xl/worksheets/sheet1.xml': { data: undefined, deflated: bomb, declaredSize: 1024 } } });
    const pending = upload(file);
    const started = Date.now();
    const me = await t.gql('{ me { username } }'); // answered while the bomb is being read
    expect(me.data.me.username).toBe('tester');
    expect(Date.now() - started).toBeLessThan(2000);
    const refused = await pending;
    expect([refused.status, refused.body.code]).toEqual([400, 'FILE_TOO_LARGE']);
    const entities = rawXlsx({ sheet: '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t></is></c></row>', inner: true, override: { 'xl/sharedStrings.xml': { data: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY lol "lol">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>' } } });
    expect((await upload(entities)).body.code).toBe('XML_ENTITIES');
    expect(await count()).toBe(before);
  });

  it('refuses a file over the upload limit', async () => {
    const small = await createTestApp({ database: 'upload', env: { MAX_UPLOAD_MB: '1' } });
    try {
      const res = await request(small.app.getHttpServer()).post('/imports').set(small.auth).field('form', 'F05').field('orgUnit', COMMUNITY).attach('file', Buffer.alloc(1_200_000, 1), 'big.xlsx');
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('imports only into the importer\'s own area, and only for roles that import', async () => {
    const file = await editedF05(() => undefined);
    const tuqiao = { Authorization: `Bearer ${(await t.login('tuqiao', DEMO_PASSWORD)).token}` };
    const foreign = await upload(file, 'F05', COMMUNITY, tuqiao);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'NOT_FOUND']);
    const minzheng = { Authorization: `Bearer ${(await t.login('minzheng', DEMO_PASSWORD)).token}` };
    expect((await upload(file, 'F01', COMMUNITY, minzheng)).status).toBe(403);
    const summary = await upload(file, 'F09');
    expect(summary.body.fieldErrors[0].code).toBe('NOT_IMPORTABLE');

    // Someone else's import, looked up by its number from another district: NOT_FOUND as for none, and audited.
    const own = (await upload(file)).body;
    const ask = (id: number) => request(t.app.getHttpServer()).post('/graphql').set(tuqiao).send({ query: `{ importPreview(id: ${id}) { total } }` }).then((r) => r.body);
    const [denied, none] = [await ask(own.id), await ask(999999)];
    expect(denied.errors[0].extensions).toEqual({ code: 'NOT_FOUND' });
    expect(denied.errors[0].message).toBe(none.errors[0].message.replace('999999', String(own.id)));
    const [line] = (await t.gql('{ auditLog(action: "denied_lookup", first: 1) { username entity recordId } }')).data.auditLog;
    expect(line).toEqual({ username: 'tuqiao', entity: 'import', recordId: own.id });
  });
});
