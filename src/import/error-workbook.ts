import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { RowOutcome } from './import.types.js';

const BAD = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } } as const;
const BAD_FONT = { color: { argb: 'FF9C0006' } };
/** Above this many rows the user's own workbook is not re-read: the errors come as a list of their own. */
const ANNOTATE_UP_TO_ROWS = 50_000;

interface Problem {
  row: number;
  column: number;
  header: string;
  value: string;
  message: string;
}

function problemsOf(outcomes: RowOutcome[]): Problem[] {
  return outcomes.flatMap((o) => o.errors.map((e) => ({ row: o.row, column: e.column, header: e.header, value: e.value, message: e.message })));
}

/**
 * The user's own workbook with every bad cell highlighted and commented (a row-level problem on the row's first
 * cell), plus a sheet 错误清单 listing row, column, value and reason. Data validations and conditional formats are
 * dropped first: one over a whole column would make the reader expand a million cells.
 */
export async function errorWorkbook(file: Buffer, outcomes: RowOutcome[]): Promise<Buffer> {
  const problems = problemsOf(outcomes);
  const wb = new ExcelJS.Workbook();
  if (outcomes.length <= ANNOTATE_UP_TO_ROWS) {
    await wb.xlsx.load((await withoutValidations(file)) as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    for (const p of problems) {
      const cell = ws.getCell(p.row, Math.max(p.column, 1));
      cell.fill = BAD;
      cell.font = { ...(cell.font ?? {}), ...BAD_FONT };
      const earlier = typeof cell.note === 'string' ? `${cell.note}\n` : '';
      cell.note = `${earlier}${p.message}`;
    }
  }
  const list = wb.addWorksheet('错误清单');
  list.columns = [
    { header: '行号', key: 'row', width: 8 },
    { header: '列', key: 'column', width: 6 },
    { header: '列名', key: 'header', width: 18 },
    { header: '填写的值', key: 'value', width: 24 },
    { header: '错误原因', key: 'message', width: 80 },
  ];
  list.getRow(1).font = { bold: true };
  for (const p of problems) list.addRow({ ...p, column: p.column ? columnName(p.column) : '', value: p.value }).commit?.();
  if (!problems.length) list.addRow({ message: '没有错误' });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function withoutValidations(file: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(file);
  for (const name of Object.keys(zip.files).filter((n) => /^xl\/worksheets\/[^/]+\.xml$/.test(n))) {
    const xml = await zip.file(name)!.async('string');
    zip.file(name, xml.replace(/<(x14:)?dataValidations\b[\s\S]*?<\/\1?dataValidations>/g, '').replace(/<conditionalFormatting\b[\s\S]*?<\/conditionalFormatting>/g, ''));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

function columnName(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
