import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import { readBlankForm, readLayout, titlePattern } from '../../../src/templates/blank-form.reader.js';

// The departments' forms as they sent them, and what FORMS.md / VARIED.md say about each column.
const SHARED = path.resolve(import.meta.dirname, '../../../../shared/forms');
const COPIES = path.resolve(import.meta.dirname, '../../../templates/forms');
const VARIED = path.join(SHARED, 'varied');

function sharedFile(dir: string, code: string): string {
  const found = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.startsWith(`${code}_`) && f.endsWith('.xlsx')) : undefined;
  return found ? path.join(dir, found) : path.join(COPIES, `${code}.xlsx`);
}

/** Per form, the columns of its table in the notes: groups (outermost first) then the header. */
function documentedHeaders(notes: string): Map<string, string[][]> {
  const forms = new Map<string, string[][]>();
  let code = '';
  for (const line of notes.split('\n')) {
    const title = /^## ([A-Z]\d+) /.exec(line);
    if (title) forms.set((code = title[1]), []);
    const cells = /^\| (\d+) \|(.*)$/.exec(line)?.[2].split('|').map((c) => c.trim());
    if (code && cells) forms.get(code)!.push([...cells[0].split('›').map((g) => g.trim()).filter(Boolean), cells[1]]);
  }
  return forms;
}

const notesOf = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
const F_FORMS = documentedHeaders(notesOf(path.join(SHARED, 'FORMS.md')));
const V_FORMS = documentedHeaders(notesOf(path.join(VARIED, 'VARIED.md')));
const haveShared = F_FORMS.size === 9 && V_FORMS.size === 3;

(haveShared ? describe : describe.skip)('the blank-form reader on the departments\' own forms', () => {
  it.each([...F_FORMS.keys()])('%s (house layout): title, 填报单位 row, two header rows from the print titles, footer', async (code) => {
    const form = await readBlankForm(sharedFile(SHARED, code));
    expect(form.headers).toEqual(F_FORMS.get(code));
    expect(form).toMatchObject({ titleRow: 1, subtitles: [], infoRow: 2, headerRows: [3, 4], printTitles: true, orientation: 'landscape', frozenRows: 4, body: { first: 5, last: 14 }, notes: [] });
    expect(form.title).toMatch(/^____街道/);
    expect(form.footer?.cells.map((c) => c.text)).toEqual(['填表人：', '审核人：', '联系电话：']);
    expect(form.trailer).toEqual({ first: form.footer!.row, last: form.footer!.row });
    // F09 is a summary: its blank body ends in a 合计 row, labelled in the 社区 column.
    expect(form.totalsLabel).toEqual(code === 'F09' ? { row: 14, column: 2, text: '合计' } : null);
  });

  it('V01: title, period subtitle, 填报单位 row, three header rows found without print titles', async () => {
    const form = await readBlankForm(sharedFile(VARIED, 'V01'));
    expect(form.headers).toEqual(V_FORMS.get('V01'));
    expect(form.headers[4]).toEqual(['救助对象基本情况', '家庭情况', '家庭人口']);
    expect(form).toMatchObject({ title: '____街道____社区困难群众救助对象花名册', subtitles: [{ row: 2, text: '（____年____月）' }], infoRow: 3, headerRows: [4, 6], printTitles: false, orientation: 'landscape', notes: [], totalsLabel: null });
    expect(form.footer?.cells.map((c) => c.text)).toEqual(['填表人：', '审核人：', '联系电话：']);
    expect(titlePattern(form.subtitles[0].text)).toBe('（{year}年{month}月）');
  });

  it('V02: one header row, portrait, first column 编号, footer 填报人/负责人 then notes 说明：…', async () => {
    const form = await readBlankForm(sharedFile(VARIED, 'V02'));
    expect(form.headers).toEqual(V_FORMS.get('V02'));
    expect(form.headers[0]).toEqual(['编号']);
    expect(form).toMatchObject({ title: '____社区60岁以上老年人健康管理登记表', subtitles: [], infoRow: 2, headerRows: [3, 3], orientation: 'portrait', totalsLabel: null });
    expect(form.footer?.cells.map((c) => c.text)).toEqual(['填报人：', '负责人：', '联系电话：']);
    expect(form.notes.map((n) => n.text)).toEqual([expect.stringMatching(/^说明：1\./), expect.stringMatching(/^2\.出生年月/)]);
    expect(form.trailer).toEqual({ first: form.footer!.row, last: form.notes[1].row });
  });

  it('V03: a summary with a two-row header and a 合计 row in the 网格 column', async () => {
    const form = await readBlankForm(sharedFile(VARIED, 'V03'));
    expect(form.headers).toEqual(V_FORMS.get('V03'));
    expect(form).toMatchObject({ title: '____社区各网格流动人口情况统计表', subtitles: [], infoRow: 2, headerRows: [3, 4], orientation: 'landscape' });
    expect(form.totalsLabel).toMatchObject({ column: 2, text: '合计' });
    expect(form.totalsLabel!.row).toBe(form.body.last);
  });
});

/** A sheet built in memory: rows of cells (null: empty), merges, borders on the given rows. */
function sheet(rows: (string | null)[][], options: { merges?: string[]; bordered?: number[]; printTitles?: string; landscape?: boolean } = {}): ExcelJS.Worksheet {
  const ws = new ExcelJS.Workbook().addWorksheet('S', { pageSetup: { orientation: options.landscape ? 'landscape' : 'portrait', ...(options.printTitles ? { printTitlesRow: options.printTitles } : {}) } });
  rows.forEach((row, r) => row.forEach((v, c) => v !== null && (ws.getCell(r + 1, c + 1).value = v)));
  for (const r of options.bordered ?? []) for (let c = 1; c <= rows[0].length; c++) ws.getCell(r, c).border = { top: { style: 'thin' }, bottom: { style: 'thin' } };
  for (const m of options.merges ?? []) ws.mergeCells(m);
  return ws;
}

describe('the blank-form reader on layouts built here', () => {
  it('a one-row header right under the title, without print titles, notes under an empty body', () => {
    const ws = sheet([['人员名单', null, null], ['编号', '姓名', '电话'], [null, null, null], [null, null, null], ['注：电话写手机号', null, null]], { merges: ['A1:C1'], bordered: [2, 3, 4] });
    const form = readLayout(ws);
    expect(form).toMatchObject({ title: '人员名单', infoRow: null, subtitles: [], headerRows: [2, 2], headers: [['编号'], ['姓名'], ['电话']], body: { first: 3, last: 4 }, footer: null, notes: [{ row: 5, text: '注：电话写手机号' }], orientation: 'portrait' });
  });

  it('a three-row header whose print titles also hold the title rows; groups nested two deep', () => {
    const ws = sheet(
      [
        ['____街道救助名册', null, null, null],
        ['（____年第____季度）', null, null, null],
        ['填报单位：', null, '填报日期：', null],
        ['序号', '对象', null, '备注'],
        [null, '基本', '家庭', null],
        [null, '姓名', '人口', null],
        [null, null, null, null],
        [null, '合 计', null, null],
        ['填报人：', null, '负责人：', null],
      ],
      { merges: ['A1:D1', 'A2:D2', 'A4:A6', 'B4:C4', 'D4:D6'], bordered: [4, 5, 6, 7, 8], printTitles: '$1:$6', landscape: true },
    );
    const form = readLayout(ws);
    expect(form.headers).toEqual([['序号'], ['对象', '基本', '姓名'], ['对象', '家庭', '人口'], ['备注']]);
    expect(form).toMatchObject({ subtitles: [{ row: 2, text: '（____年第____季度）' }], infoRow: 3, headerRows: [4, 6], printTitles: true, totalsLabel: { row: 8, column: 2, text: '合 计' }, trailer: { first: 9, last: 9 }, orientation: 'landscape' });
    expect(titlePattern(form.subtitles[0].text)).toBe('（{year}年第{quarter}季度）');
  });

  it('a group label repeated by a header merged down is one label, and a numbered row under the header is body', () => {
    const ws = sheet([['表', null, null], ['姓名', '房东', null], [null, '姓名', '电话'], ['1', '2', '3']], { merges: ['A1:C1', 'A2:A3', 'B2:C2'], bordered: [2, 3, 4] });
    expect(readLayout(ws)).toMatchObject({ headerRows: [2, 3], headers: [['姓名'], ['房东', '姓名'], ['房东', '电话']], body: { first: 4, last: 4 } });
  });

  it('says what is wrong with a sheet it cannot read', () => {
    expect(() => readLayout(sheet([[null], [null]]))).toThrow('表样是空的');
    expect(() => readLayout(sheet([['标题', '另一段'], ['a', 'b']]))).toThrow('第 1 行应只有表格标题');
    expect(() => readLayout(sheet([['表', null, null], ['序号', null, '备注'], [null, null, null]], { merges: ['A1:C1'], bordered: [2, 3] }))).toThrow('第 2 列没有表头');
  });
});
