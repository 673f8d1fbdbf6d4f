import ExcelJS from 'exceljs';
import { readOptionsFor } from '../../../src/import/mapping/index.js';
import { ImportFileError, readLedgerFile } from '../../../src/import/reader/index.js';
import type { TemplateColumn, TemplateDef } from '../../../src/templates/template.types.js';
import { idNumber } from '../../support/fixtures.js';
import { definitionsOnce, fillBlankForm, templateOf, workbookBuffer } from './support/xlsx-files.js';

// Header location and body extent: the real blank forms, and the ways people rearrange them.
const ID1 = idNumber('500106', '19540305', 11);
const ID2 = idNumber('500106', '19480711', 22);

/** A plausible typed row for any form: text per column, an ID number where one belongs. */
function sampleRow(columns: TemplateColumn[], n: number, id: string): unknown[] {
  return columns.map((c, i) => {
    if (c.source.kind === 'rowNumber') return n;
    if (c.source.kind === 'field' && c.source.field === 'idNumber') return id;
    return `r${n}c${i + 1}`;
  });
}

const headerTexts = (def: TemplateDef) => def.columns.map((c) => c.header[c.header.length - 1]);

describe('the departments’ own blank forms, filled in', () => {
  test.each(['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08'])('%s: header found where the blank has it, body up to the footer', async (code) => {
    const def = await templateOf(code);
    const bytes = await fillBlankForm(code, [sampleRow(def.columns, 1, ID1), sampleRow(def.columns, 2, ID2)], (ws, first) => {
      ws.getCell(2, 1).value = '填报单位（盖章）：桥北社区';
      ws.getCell(first + 2, 2).value = '   '; // a row of spaces is blank
    });
    const read = await readLedgerFile(bytes, def.columns);
    expect(read.headerRows).toEqual(def.layout!.headerRows);
    expect(read.columnMap).toEqual(def.columns.map((c, i) => ({ key: c.key, column: i + 1 })));
    expect(read.rows.map((r) => r.row)).toEqual([def.layout!.headerRows[1] + 1, def.layout!.headerRows[1] + 2]);
    expect(read.rows[1].cells[def.columns[1].key].text).toBe('r2c2');
    expect(read.info.unit).toBe('桥北社区');
    expect(read.info.title).toBe(def.layout!.title);
    expect(read.warnings).toEqual([]);
  });

  test('F09 (a summary form): the 合计 rows (ours, and the one printed on the blank) are skipped and said so', async () => {
    const def = await templateOf('F09');
    const rows = [[1, '桥北社区', 4, 100, 300, 80, 5, 2, 1, 3, 4, 6, 20, ''], [2, '测试社区', 2, 50, 150, 40, 2, 1, 0, 1, 2, 3, 9, ''], [null, '合计', 6, 150, 450, 120, 7, 3, 1, 4, 6, 9, 29, '']];
    const read = await readLedgerFile(await fillBlankForm('F09', rows), def.columns);
    expect(read.rows.map((r) => r.cells.communityName.text)).toEqual(['桥北社区', '测试社区']);
    expect(read.warnings).toEqual([7, 14].map((row) => expect.objectContaining({ row, code: 'TOTALS_ROW_SKIPPED' })));
  });
});

describe('a rearranged sheet', () => {
  let f01: TemplateDef;
  beforeAll(async () => {
    f01 = await templateOf('F01');
  });

  test('blank rows and columns around, no title or 填报 row, line breaks, spaces and full-width in headers, columns reordered', async () => {
    const leaves = headerTexts(f01);
    const order = leaves.map((_, i) => i);
    [order[1], order[5]] = [order[5], order[1]]; // 公民身份号码 before 姓名
    const bytes = await workbookBuffer((ws) => {
      // header rows 4 (groups) and 6 (leaves) with a blank row 5 between; data from row 9 (rows 7–8 blank); columns from C
      order.forEach((i, k) => {
        const col = k + 3;
        const group = f01.columns[i].header.length > 1 ? f01.columns[i].header[0] : null;
        if (group) {
          ws.getCell(4, col).value = group === '紧急联系人' ? '紧急\n联系人' : `　${group} `;
          ws.getCell(6, col).value = leaves[i];
        } else {
          ws.getCell(4, col).value = leaves[i] === '公民身份号码' ? '公民身份\r\n号码' : leaves[i] === '所属网格' ? '所 属 网 格' : leaves[i];
          ws.mergeCells(4, col, 6, col);
        }
      });
      for (const group of ['紧急联系人', '享受待遇']) {
        const cols = order.map((i, k) => (f01.columns[i].header[0] === group && f01.columns[i].header.length > 1 ? k + 3 : 0)).filter(Boolean);
        ws.mergeCells(4, cols[0], 4, cols[cols.length - 1]);
      }
      ws.getRow(9).values = [undefined, undefined, ...order.map((i) => (i === 5 ? ID1 : i === 0 ? 1 : `v${i}`))];
    });
    const read = await readLedgerFile(bytes, f01.columns);
    expect(read.headerRows).toEqual([4, 6]);
    const at = Object.fromEntries(read.columnMap.map((m) => [m.key, m.column]));
    expect(at.idNumber).toBe(4);
    expect(at.name).toBe(8);
    expect(at.emergencyContactRelation).toBe(order.indexOf(10) + 3);
    expect(read.rows).toHaveLength(1);
    expect(read.rows[0].row).toBe(9);
    expect(read.rows[0].cells.idNumber.text).toBe(ID1);
    expect(read.rows[0].cells.emergencyContactRelation.text).toBe('v10');
    expect(read.info).toEqual({});
  });

  test('group headers whose merges were lost (text only over the first column of the group)', async () => {
    const bytes = await workbookBuffer((ws) => {
      ws.getCell(1, 1).value = '独居老人信息台账';
      f01.columns.forEach((c, i) => {
        if (c.header.length === 1) ws.getCell(2, i + 1).value = c.header[0];
        else {
          if (f01.columns[i - 1].header[0] !== c.header[0]) ws.getCell(2, i + 1).value = c.header[0];
          ws.getCell(3, i + 1).value = c.header[1];
        }
      });
      ws.getRow(4).values = [1, '张三'];
    });
    const read = await readLedgerFile(bytes, f01.columns);
    expect(read.columnMap).toEqual(f01.columns.map((c, i) => ({ key: c.key, column: i + 1 })));
    expect(read.headerRows).toEqual([2, 3]);
    expect(read.rows.map((r) => r.cells.name.text)).toEqual(['张三']);
  });

  test('a row of column numbers under the header, a 合计 row, the footer, and rows after it', async () => {
    const def = await templateOf('F02');
    const bytes = await fillBlankForm('F02', [def.columns.map((_, i) => i + 1), sampleRow(def.columns, 1, ID1), sampleRow(def.columns, 2, ID2), ['合  计', null, null, null]], (ws) => {
      ws.getCell(16, 1).value = '填表人：王五';
      ws.getCell(17, 2).value = '张三';
      ws.getCell(17, 5).value = ID1;
    });
    const read = await readLedgerFile(bytes, def.columns);
    expect(read.rows.map((r) => r.row)).toEqual([6, 7]);
    expect(read.warnings.map((w) => w.code)).toEqual(['TOTALS_ROW_SKIPPED', 'ROWS_AFTER_FOOTER']);
    expect(read.warnings[1]).toMatchObject({ row: 17 });
  });

  test('the ledger on the second sheet, after an instructions sheet', async () => {
    const def = await templateOf('F02');
    const bytes = await workbookBuffer((ws, wb) => {
      ws.getCell(1, 1).value = '填表说明：请勿修改表头';
      const ledger = wb.addWorksheet('台账');
      ledger.getRow(1).values = headerTexts(def);
      ledger.getRow(2).values = sampleRow(def.columns, 1, ID1) as ExcelJS.CellValue[];
    }, '说明');
    const read = await readLedgerFile(bytes, def.columns);
    expect(read.sheetName).toBe('台账');
    expect(read.rows).toHaveLength(1);
  });

  test('an extra column is a warning; a missing one an error naming it; derived columns may be missing', async () => {
    const dict = (await definitionsOnce()).dictionary;
    const without = (skip: string[], extra: string[] = []) =>
      workbookBuffer((ws) => {
        const heads = [...f01.columns.filter((c) => !skip.includes(c.key)).map((c) => c.header), ...extra.map((e) => [e])];
        heads.forEach((h, i) => {
          ws.getCell(1, i + 1).value = h[0];
          ws.getCell(2, i + 1).value = h[h.length - 1];
          if (h.length === 1) ws.mergeCells(1, i + 1, 2, i + 1);
        });
        ws.mergeCells(1, heads.findIndex((h) => h[0] === '紧急联系人') + 1, 1, heads.findIndex((h) => h[0] === '紧急联系人') + 3);
        ws.mergeCells(1, heads.findIndex((h) => h[0] === '享受待遇') + 1, 1, heads.findIndex((h) => h[0] === '享受待遇') + 3);
      });
    const optional = readOptionsFor(f01, dict);
    const extra = await readLedgerFile(await without([], ['身高']), f01.columns, optional);
    expect(extra.warnings).toEqual([expect.objectContaining({ code: 'UNKNOWN_COLUMN', column: 19, message: expect.stringContaining('身高') })]);

    const missing = await readLedgerFile(await without(['phone', 'remarks']), f01.columns, optional).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ImportFileError);
    expect(missing).toMatchObject({ code: 'MISSING_COLUMN', details: ['联系电话', '备注'] });

    const derived = await readLedgerFile(await without(['rowNumber', 'gender', 'birthDate', 'age', 'latestVisitDate']), f01.columns, optional);
    expect(derived.columnMap.map((m) => m.key)).not.toContain('age');
    // without the template's optional list only 序号 may be missing
    await expect(readLedgerFile(await without(['rowNumber', 'age']), f01.columns)).rejects.toMatchObject({ code: 'MISSING_COLUMN', details: ['年龄'] });
  });

  test('another form’s ledger, or a sheet with no header at all: HEADER_NOT_FOUND', async () => {
    const f08 = await fillBlankForm('F08', []);
    await expect(readLedgerFile(f08, f01.columns)).rejects.toMatchObject({ code: 'HEADER_NOT_FOUND' });
    const nothing = await workbookBuffer((ws) => void (ws.getCell(3, 3).value = '你好'));
    await expect(readLedgerFile(nothing, f01.columns)).rejects.toMatchObject({ code: 'HEADER_NOT_FOUND', message: expect.stringContaining('姓名、性别') });
    const empty = await workbookBuffer(() => {});
    await expect(readLedgerFile(empty, f01.columns)).rejects.toMatchObject({ code: 'HEADER_NOT_FOUND' });
  });

  test('exceljs can still open what the tests build (sanity of the fixtures)', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await fillBlankForm('F01', [sampleRow(f01.columns, 1, ID1)])) as unknown as ArrayBuffer);
    expect(wb.worksheets[0].getCell(5, 2).value).toBe('r1c2');
  });
});
