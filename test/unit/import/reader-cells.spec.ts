import { readLedgerFile, type SheetRead } from '../../../src/import/reader/index.js';
import type { TemplateDef } from '../../../src/templates/template.types.js';
import { idNumber } from '../../support/fixtures.js';
import { type RawCellSpec, rawSheetRows, rawXlsx, templateOf } from './support/xlsx-files.js';

// Cell by cell, as the XML of real files holds them. F02's columns: 1 序号 … 5 公民身份号码 … 15 备注.
const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const STYLES =
  `<styleSheet ${NS}><numFmts count="4"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>` +
  '<numFmt numFmtId="165" formatCode="yyyy\\-mm"/><numFmt numFmtId="166" formatCode="[Red]#,##0.0_ "/><numFmt numFmtId="167" formatCode="h:mm"/></numFmts>' +
  '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>' +
  '<cellXfs count="9"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="2"/><xf numFmtId="49"/><xf numFmtId="31"/><xf numFmtId="166"/><xf numFmtId="167"/></cellXfs></styleSheet>';
const SHARED =
  `<sst ${NS} count="3" uniqueCount="3"><si><t xml:space="preserve">  王 五  </t></si>` +
  '<si><r><rPr><b/></rPr><t>富</t></r><r><t>文本</t></r><rPh sb="0" eb="1"><t>ふ</t></rPh></si><si><t>A&amp;B</t></si></sst>';

let f02: TemplateDef;
const ID = idNumber('500106', '19540305', 11);

async function read(rows: RawCellSpec[][], opts: { workbookPr?: string; afterSheetData?: string } = {}): Promise<SheetRead> {
  const header = rawSheetRows([f02.columns.map((c) => c.header[0])]);
  const bytes = rawXlsx({ sheet: header + rawSheetRows(rows, 2), styles: STYLES, sharedStrings: SHARED, ...opts });
  return readLedgerFile(bytes, f02.columns);
}

/** A row whose 备注 (column 15) holds `cell`; 姓名 is filled so the row is not blank. */
const remarks = (cell: RawCellSpec): RawCellSpec[] => [null, '某人', ...Array(12).fill(null), cell];
const num = (v: number | string, s: number) => ({ xml: `<v>${v}</v>`, attrs: `s="${s}"` });

beforeAll(async () => {
  f02 = await templateOf('F02');
});

describe('cell values', () => {
  test('strings: shared (trimmed text, raw value, rich text joined, phonetic guide left out), inline, entities', async () => {
    const r = await read([
      remarks({ xml: '<v>0</v>', attrs: 't="s"' }),
      remarks({ xml: '<v>1</v>', attrs: 't="s"' }),
      remarks({ xml: '<v>2</v>', attrs: 't="s"' }),
      remarks({ xml: '<is><r><t>行内</t></r><r><t>&#x6587;本</t></r></is>', attrs: 't="inlineStr"' }),
    ]);
    expect(r.rows.map((x) => x.cells.remarks)).toEqual([
      { value: '  王 五  ', text: '王 五', column: 15 },
      { value: '富文本', text: '富文本', column: 15 },
      { value: 'A&B', text: 'A&B', column: 15 },
      { value: '行内文本', text: '行内文本', column: 15 },
    ]);
  });

  test('numbers, booleans, errors, and number formats that only change how a number looks', async () => {
    const r = await read([
      remarks(num(42, 0)),
      remarks(num('0.30000000000000004', 0)),
      remarks(num(1958.1, 4)),
      remarks(num(1234.5, 7)),
      remarks(num(0.5, 8)),
      remarks({ xml: '<v>1</v>', attrs: 't="b"' }),
      remarks({ xml: '<v>#N/A</v>', attrs: 't="e"' }),
    ]);
    const cells = r.rows.map((x) => x.cells.remarks);
    expect(cells.map((c) => [c.value, c.text])).toEqual([
      [42, '42'],
      [0.30000000000000004, '0.3'],
      [1958.1, '1958.10'], // "0.00": shown as typed, which tells 1958.10 (October) from 1958.1
      [1234.5, '1234.5'],
      [0.5, '0.5'], // h:mm is a time of day, not a date
      [true, 'TRUE'],
      [null, '#N/A'],
    ]);
    expect(r.rows[6].problems).toEqual([expect.objectContaining({ row: 8, column: 15, code: 'CELL_ERROR', message: expect.stringContaining('"备注"列') })]);
  });

  test('dates: built-in and custom date formats, month-only formats, the 1904 system, ISO cells', async () => {
    const cells = (await read([remarks(num(21249, 1)), remarks(num(21249, 2)), remarks(num(21249, 6)), remarks(num(21249.5, 1)), remarks(num(21249, 3)), remarks({ xml: '<v>1958-03-05</v>', attrs: 't="d"' })])).rows.map((x) => x.cells.remarks);
    expect(cells.map((c) => c.text)).toEqual(['1958-03-05', '1958-03-05', '1958-03-05', '1958-03-05 12:00', '1958-03', '1958-03-05']);
    expect(cells[0].value).toEqual(new Date('1958-03-05T00:00:00Z'));
    const r1904 = await read([remarks(num(19787, 1))], { workbookPr: '<workbookPr date1904="1"/>' });
    expect(r1904.rows[0].cells.remarks.text).toBe('1958-03-05');
  });

  test('formulas: the cached value is used; without one the cell is an error of its row', async () => {
    const r = await read([
      remarks({ xml: '<f>1+1</f><v>2</v>' }),
      remarks({ xml: '<f>A1&amp;"x"</f><v>序号x</v>', attrs: 't="str"' }),
      remarks({ xml: '<f>1+1</f>' }),
      remarks({ xml: '<f t="shared" si="0"/>', attrs: 't="str"' }),
    ]);
    expect(r.rows.map((x) => x.cells.remarks.value)).toEqual([2, '序号x', null, '']);
    expect(r.rows[0].problems).toEqual([]);
    expect(r.rows[2].problems).toEqual([expect.objectContaining({ row: 4, column: 15, code: 'FORMULA_WITHOUT_VALUE' })]);
    expect(r.rows[3].problems).toEqual([expect.objectContaining({ row: 5, code: 'FORMULA_WITHOUT_VALUE' })]);
  });

  test('cells without references, rows without numbers, and an x: prefix are read all the same', async () => {
    const header = f02.columns.map((c) => `<x:c t="inlineStr"><x:is><x:t>${c.header[0]}</x:t></x:is></x:c>`).join('');
    const sheet = `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row>${header}</x:row><x:row><x:c><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>张三</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`;
    const r = await readLedgerFile(rawXlsx({ sheet, inner: false }), f02.columns);
    expect(r.rows).toEqual([expect.objectContaining({ row: 2, cells: expect.objectContaining({ name: { value: '张三', text: '张三', column: 2 } }) })]);
  });
});

describe('identifiers stored as numbers', () => {
  const idRow = (cell: RawCellSpec): RawCellSpec[] => [1, '张三', null, null, cell];

  test('18 digits as a number (shown 1.10105E+17) lost its last digits: an error naming row and column', async () => {
    const r = await read([idRow({ xml: '<v>1.10105195403051E+17</v>' }), idRow({ xml: '<v>110105195403050000</v>' }), idRow('1.10105E+17'), idRow(ID)]);
    for (const [i, row] of [2, 3, 4].entries()) {
      expect(r.rows[i].problems).toEqual([{ row, column: 5, code: 'ID_NUMBER_AS_NUMBER', message: expect.stringMatching(/^"公民身份号码"列：.*无法恢复/) }]);
      expect(r.rows[i].cells.idNumber).toEqual({ value: null, text: '', column: 5 });
    }
    expect(r.rows[3].problems).toEqual([]);
    expect(r.rows[3].cells.idNumber.text).toBe(ID);
  });

  test('a 15-digit old ID number as a number is exact: kept, as text', async () => {
    const r = await read([idRow({ xml: '<v>500106540305001</v>' })]);
    expect(r.rows[0].problems).toEqual([]);
    expect(r.rows[0].cells.idNumber).toEqual({ value: '500106540305001', text: '500106540305001', column: 5 });
  });

  test('a phone stored as a number is just its digits', async () => {
    const r = await read([[1, '张三', null, null, ID, null, null, null, null, null, null, { xml: '<v>13800138000</v>' }]]);
    expect(r.rows[0].cells.phone).toEqual({ value: 13800138000, text: '13800138000', column: 12 });
  });
});

describe('merged cells in the body', () => {
  test('each row a merge reaches gets an error naming the range; merges in the header or footer are fine', async () => {
    const rows = [[1, '张三', null, null, ID], [2, null, null, null, ID], [3, '李四', null, null, ID], ['填表人：', null, null, '审核人：']] as RawCellSpec[][];
    const after = '<mergeCells count="3"><mergeCell ref="B2:B3"/><mergeCell ref="A5:C5"/><mergeCell ref="P2:Q9"/></mergeCells>';
    const r = await read(rows, { afterSheetData: after });
    expect(r.rows.map((x) => x.row)).toEqual([2, 3, 4]);
    expect(r.rows[0].problems).toEqual([expect.objectContaining({ row: 2, column: 2, code: 'MERGED_BODY_CELLS', message: expect.stringContaining('B2:B3') })]);
    expect(r.rows[1].problems).toEqual([expect.objectContaining({ row: 3, column: 2, code: 'MERGED_BODY_CELLS' })]);
    expect(r.rows[2].problems).toEqual([]); // P2:Q9 covers no column of the form
  });

  test('a merge down a whole column costs nothing', async () => {
    const started = performance.now();
    const r = await read([[1, '张三', null, null, ID]], { afterSheetData: '<mergeCells count="1"><mergeCell ref="O2:O1048576"/></mergeCells>' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.rows[0].problems).toEqual([expect.objectContaining({ code: 'MERGED_BODY_CELLS', message: expect.stringContaining('O2:O1048576') })]);
  });
});
