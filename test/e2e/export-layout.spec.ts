import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';
import { binary } from '../support/http.js';

// The departments' own blank forms, as they sent them (../shared/forms); templates/forms holds copies the server reads.
const SHARED = path.resolve(import.meta.dirname, '../../../shared/forms');
const COPIES = path.resolve(import.meta.dirname, '../../templates/forms');
const COMMUNITY = '500106108001';
const STREET = '500106108000';

function departmentForm(code: string): string {
  const shared = fs.existsSync(SHARED) ? fs.readdirSync(SHARED).find((f) => f.startsWith(`${code}_`) && f.endsWith('.xlsx')) : undefined;
  return shared ? path.join(SHARED, shared) : path.join(COPIES, `${code}.xlsx`);
}

/** The blank's text as a pattern: its blanks (____, spaces before 年月日, an empty 填报单位) may be filled. */
function filledBlank(text: string): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/_+/g, '[^_]+').replace(/\s+(年|月|日)/g, '\\d+$1').replace(/：$/, '：.*')}$`);
}

const merged = (ws: ExcelJS.Worksheet, lastRow: number) =>
  ((ws.model as { merges?: string[] }).merges ?? []).filter((m) => Number(/\d+$/.exec(m)![0]) <= lastRow).sort();

describe(`exported header block = the department's blank form (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
  });
  afterAll(() => t.close());

  it('serves the blank forms the departments sent, byte for byte', () => {
    for (let n = 1; n <= 9; n++) {
      const code = `F0${n}`;
      expect(fs.readFileSync(path.join(COPIES, `${code}.xlsx`)).equals(fs.readFileSync(departmentForm(code)))).toBe(true);
    }
  });

  it.each(['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09'])('%s: title, unit/date row, header rows, merges, styles, widths, page setup', async (code) => {
    const orgUnit = code === 'F09' ? STREET : COMMUNITY;
    const res = await request(t.app.getHttpServer()).get(`/exports/${code}?orgUnit=${orgUnit}`).set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const exported = new ExcelJS.Workbook();
    await exported.xlsx.load(res.body);
    const blank = new ExcelJS.Workbook();
    await blank.xlsx.readFile(departmentForm(code));
    const [ws, bs] = [exported.worksheets[0], blank.worksheets[0]];
    const lastHeader = Number(/:(\d+)$/.exec(bs.pageSetup.printTitlesRow!)![1]);
    const filled: string[] = [];
    for (let r = 1; r <= lastHeader; r++) {
      expect([r, ws.getRow(r).height]).toEqual([r, bs.getRow(r).height]);
      for (let c = 1; c <= bs.columnCount; c++) {
        const [cell, source] = [ws.getCell(r, c), bs.getCell(r, c)];
        // Only the blanks differ: a cell merged into another has no value of its own in the export.
        if (cell.isMerged && cell.master !== cell) expect(cell.master.address).toBe(source.master.address);
        else if (typeof source.value === 'string' && /_|：$|\s[年月日]/.test(source.value)) {
          expect(String(cell.value)).toMatch(filledBlank(source.value));
          filled.push(String(cell.value));
        } else expect([cell.address, cell.value]).toEqual([source.address, source.value]);
        expect([cell.address, cell.style.font, cell.style.border, cell.style.alignment, cell.style.fill]).toEqual([source.address, source.style.font, source.style.border, source.style.alignment, source.style.fill]);
      }
    }
    expect(filled.join('|')).toMatch(code === 'F09' ? /^陈家桥街道各社区/ : /^陈家桥街道桥北社区/);
    expect(filled.join('|')).toMatch(code === 'F09' ? /填报单位（盖章）：陈家桥街道\|填报日期：\d{4}年\d{1,2}月\d{1,2}日/ : /填报单位（盖章）：桥北社区\|填报日期：\d{4}年\d{1,2}月\d{1,2}日/);
    expect(merged(ws, lastHeader)).toEqual(merged(bs, lastHeader));
    // Widths are the blank's; where it left Excel's default, a date column is widened so dates do not show as ####.
    for (let c = 1; c <= bs.columnCount; c++) {
      const [width, blankWidth] = [ws.getColumn(c).width, bs.getColumn(c).width];
      if (blankWidth) expect([c, width]).toEqual([c, blankWidth]);
      else expect([c, width ?? 9]).toEqual([c, ws.getCell(lastHeader + 1, c).numFmt === 'yyyy-mm-dd' ? 11 : 9]);
    }
    const { orientation, fitToPage, fitToWidth, fitToHeight, paperSize, printTitlesRow } = bs.pageSetup;
    expect(ws.pageSetup).toMatchObject({ orientation, fitToPage, fitToWidth, fitToHeight, paperSize, printTitlesRow });
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: lastHeader });
  });
});
