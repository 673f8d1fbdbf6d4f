import { ImportFileError, readLedgerFile } from '../../../src/import/reader/index.js';
import type { TemplateColumn } from '../../../src/templates/template.types.js';
import { buildZip, deflateHuge } from './support/raw-zip.js';
import { rawSheetRows, rawXlsx, templateOf } from './support/xlsx-files.js';

// Hostile and broken uploads: each must end in a clear ImportFileError, quickly, without holding the file inflated.
let columns: TemplateColumn[];
let header: string;
beforeAll(async () => {
  columns = (await templateOf('F02')).columns;
  header = rawSheetRows([columns.map((c) => c.header[c.header.length - 1])]);
});

const rejects = async (bytes: Buffer, code: string, opts = {}) => {
  const error = await readLedgerFile(bytes, columns, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportFileError);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(/[\u4e00-\u9fff]/); // said in Chinese
  return error as ImportFileError;
};

describe('not an .xlsx', () => {
  test('CSV, HTML and empty uploads are NOT_XLSX', async () => {
    await rejects(Buffer.from('序号,姓名\n1,张三\n'), 'NOT_XLSX');
    await rejects(Buffer.from('<html><body><table></table></body></html>'), 'NOT_XLSX');
    await rejects(Buffer.alloc(0), 'NOT_XLSX');
  });

  test('old .xls and password-protected workbooks (OLE2 containers) are XLS_NOT_SUPPORTED', async () => {
    const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)]);
    const e = await rejects(ole2, 'XLS_NOT_SUPPORTED');
    expect(e.message).toContain('.xlsx');
  });

  test('a zip that is not a workbook, a truncated zip, an encrypted entry', async () => {
    await rejects(buildZip([{ name: 'readme.txt', data: 'hello' }]), 'NOT_XLSX');
    const good = rawXlsx({ sheet: header });
    await rejects(good.subarray(0, good.length - 30), 'NOT_XLSX');
    await rejects(rawXlsx({ sheet: header, override: { 'xl/worksheets/sheet1.xml': { encrypted: true } } }), 'NOT_XLSX');
  });

  test('damaged XML inside is NOT_XLSX', async () => {
    await rejects(rawXlsx({ sheet: `${header}<row r="2"><c r="A2" <v>1</v></c></row>` }), 'NOT_XLSX');
    await rejects(rawXlsx({ sheet: '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>序号', inner: false }), 'NOT_XLSX');
  });
});

describe('zip bombs: real inflated bytes are counted, declared sizes are not trusted', () => {
  test('a 1 GB sheet that says it is 1 KB stops at the 200 MB cap', async () => {
    const prefix = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${header}`;
    const bomb = await deflateHuge(prefix, ' ', 1024 ** 3);
    expect(bomb.body.length).toBeLessThan(2 * 1024 * 1024); // ≈ 1000:1
    const bytes = rawXlsx({ sheet: '', override: { 'xl/worksheets/sheet1.xml': { data: undefined, deflated: bomb, declaredSize: 1024 } } });
    const started = performance.now();
    const e = await rejects(bytes, 'FILE_TOO_LARGE');
    expect(e.message).toContain('200 MB');
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  test('the cap counts every entry together, shared strings included', async () => {
    const half = await deflateHuge('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', ' ', 6 * 1024 * 1024);
    const bytes = rawXlsx({ sheet: header, override: { 'xl/sharedStrings.xml': { data: undefined, deflated: half, declaredSize: 10 } } });
    await rejects(bytes, 'FILE_TOO_LARGE', { maxUncompressedBytes: 5 * 1024 * 1024 });
  });

  test('more than 1 000 entries is TOO_MANY_ENTRIES', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ name: `xl/media/image${i}.png`, data: 'x' }));
    await rejects(rawXlsx({ sheet: header, extra: many }), 'TOO_MANY_ENTRIES');
    await rejects(rawXlsx({ sheet: header, extra: many.slice(0, 50) }), 'TOO_MANY_ENTRIES', { maxEntries: 20 });
  });
});

describe('XML entity bombs', () => {
  const lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';

  test.each(['xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/workbook.xml', 'xl/styles.xml'])('a DOCTYPE in %s is XML_ENTITIES', async (entry) => {
    const ok = rawXlsx({ sheet: `${header}${rawSheetRows([[1, '&lol3;']], 2)}` });
    expect(ok.length).toBeGreaterThan(0);
    const bytes = rawXlsx({
      sheet: header,
      override: { [entry]: { data: `<?xml version="1.0"?>${lol}<root>&lol3;</root>` } },
    });
    await rejects(bytes, 'XML_ENTITIES');
  });
});

describe('merged ranges by the thousand', () => {
  test('overlapping merges over the header and the body cost bounded work, and are still reported', async () => {
    const body = rawSheetRows(Array.from({ length: 2000 }, (_, i) => [i + 1, `居民${i}`]), 2);
    const merges = [
      ...Array.from({ length: 30_000 }, (_, i) => `<mergeCell ref="${i % 2 ? 'A' : 'B'}1:${i % 2 ? 'A' : 'B'}1"/>`),
      ...Array.from({ length: 60_000 }, (_, i) => `<mergeCell ref="B${2 + (i % 7)}:C${2000 + (i % 50)}"/>`),
    ];
    const started = performance.now();
    const read = await readLedgerFile(rawXlsx({ sheet: header + body, afterSheetData: `<mergeCells count="${merges.length}">${merges.join('')}</mergeCells>` }), columns);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(read.rows[0].problems[0]).toMatchObject({ code: 'MERGED_BODY_CELLS' });
    expect(read.warnings).toContainEqual(expect.objectContaining({ code: 'MERGED_BODY_CELLS', message: expect.stringContaining('太多') }));
  });
});

describe('things real ledgers do that must cost nothing', () => {
  test('a dropdown validation and a conditional format over whole columns are ignored', async () => {
    const after =
      '<conditionalFormatting sqref="A5:R1048576"><cfRule type="expression" dxfId="0" priority="1"><formula>LEN(A5)&gt;0</formula></cfRule></conditionalFormatting>' +
      '<dataValidations count="2"><dataValidation type="list" allowBlank="1" sqref="C5:C1048576"><formula1>"男,女"</formula1></dataValidation>' +
      '<dataValidation type="list" sqref="H5:H1048576 J5:J1048576"><formula1>"未婚,已婚,丧偶,离婚"</formula1></dataValidation></dataValidations>';
    const body = rawSheetRows([[1, '张三', '男', 70, '110105195403050017', '户籍地', '现住址', '丧偶', 0, '分散供养', 500, '13800138000', '李升俊', '13800000002', '']], 2);
    const started = performance.now();
    const read = await readLedgerFile(rawXlsx({ sheet: header + body, afterSheetData: after }), columns);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(read.rows).toHaveLength(1);
    expect(read.rows[0].cells.name.text).toBe('张三');
  });
});
