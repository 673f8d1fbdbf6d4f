import ExcelJS from 'exceljs';
import { type BlankForm, mergeRanges } from '../templates/blank-form.reader.js';
import type { TemplateColumn } from '../templates/template.types.js';
import { drained } from './stream-backpressure.js';

export interface SheetHeader {
  title: string;
  /** 填报单位 (the community or street). */
  unit: string;
  /** 填报日期, yyyy-mm-dd. */
  date: string;
  /** The blank form's subtitles (（____年____月）) filled in, in order. */
  subtitles?: string[];
  /** A submitted report's 填表人 and 审核人 with their dates, filled into the blank form's footer. */
  signatures?: { filledBy: string | null; reviewedBy: string | null };
}

const THIN = { style: 'thin' } as const;
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const DATE_FORMAT = 'yyyy-mm-dd';
const DATE_WIDTH = 11;

/**
 * Writes one form as a sheet laid out like the department's blank form: the header block copied from the blank
 * (title, subtitles, 填报单位 row, header rows: values, styles, merges, heights), widths and page setup with the header
 * rows repeated on every printed page, bordered body rows streamed in, then the rows under the blank's table (notes,
 * 填表人 line) copied the same way under the last row.
 */
export async function writeFormSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  blank: ExcelJS.Worksheet,
  layout: BlankForm,
  sheetName: string,
  header: SheetHeader,
  columns: TemplateColumn[],
  rows: AsyncIterable<unknown[]>,
): Promise<number> {
  const [, lastHeader] = layout.headerRows;
  const ws = workbook.addWorksheet(sheetName.slice(0, 31), {
    pageSetup: { ...layout.pageSetup, printTitlesRow: `${layout.headerRows[0]}:${lastHeader}` },
    views: [{ state: 'frozen', xSplit: 0, ySplit: layout.frozenRows || lastHeader }],
  });
  // A column the blank form left at Excel's default width would show a date as ########: give dates room.
  ws.columns = layout.widths.map((width, c) => ({ width: width ?? (columns[c]?.type === 'date' ? DATE_WIDTH : 9) }));

  const filled = new Map<string, string>([[layout.title, header.title]]);
  layout.subtitles.forEach((s, i) => header.subtitles?.[i] !== undefined && filled.set(s.text, header.subtitles[i]));
  copyRows(ws, blank, layout, { from: 1, to: lastHeader, at: 1, width: columns.length }, (text) => filled.get(text) ?? text);
  if (layout.infoRow) fillInfoRow(ws.getRow(layout.infoRow), columns.length, header);
  for (let r = 1; r <= lastHeader; r++) ws.getRow(r).commit();

  // One style object per column, shared by every body cell (cloning per cell costs more than writing it).
  const bodyStyles = Array.from({ length: columns.length }, (_, c): Partial<ExcelJS.Style> => ({
    ...structuredClone(blank.getRow(lastHeader + 1).getCell(c + 1).style ?? {}),
    border: BORDER,
    ...(columns[c].type === 'date' ? { numFmt: DATE_FORMAT } : {}),
  }));
  let n = 0;
  for await (const values of rows) {
    const row = ws.getRow(lastHeader + 1 + n);
    values.forEach((value, c) => {
      const cell = row.getCell(c + 1);
      cell.style = bodyStyles[c];
      setValue(cell, columns[c], value);
    });
    row.commit();
    // exceljs applies no backpressure of its own: without this, memory grows by a row's XML per row.
    if (++n % 1000 === 0) await drained(workbook);
  }
  if (layout.trailer) {
    const { first, last } = layout.trailer;
    const at = lastHeader + 1 + n;
    const width = Math.max(columns.length, ...(layout.footer?.cells.map((c) => c.column) ?? []));
    copyRows(ws, blank, layout, { from: first, to: last, at, width }, (text) => signed(text, header.signatures));
    for (let r = at; r <= at + last - first; r++) ws.getRow(r).commit();
  }
  ws.commit();
  return n;
}

/**
 * Copies blank rows `from`–`to` to rows from `at`: values (through `fill`; a merged range keeps its value in its first
 * cell only), styles, heights and the merges that lie within those rows.
 */
function copyRows(ws: ExcelJS.Worksheet, blank: ExcelJS.Worksheet, layout: BlankForm, span: { from: number; to: number; at: number; width: number }, fill: (text: string) => string): void {
  const shift = span.at - span.from;
  const covered = coveredCells(layout.merges);
  for (let r = span.from; r <= span.to; r++) {
    const source = blank.getRow(r);
    const row = ws.getRow(r + shift);
    if (source.height) row.height = source.height;
    for (let c = 1; c <= span.width; c++) {
      const from = source.getCell(c);
      const cell = row.getCell(c);
      if (!covered.has(`${r}:${c}`)) cell.value = typeof from.value === 'string' ? fill(from.value) : from.value;
      cell.style = structuredClone(from.style);
    }
  }
  for (const m of mergeRanges(blank)) {
    if (m.top >= span.from && m.bottom <= span.to) ws.mergeCells(m.top + shift, m.left, m.bottom + shift, m.right);
  }
}

/** Typed cells: numbers stay numbers, dates are real dates, everything else is text (never a formula). */
function setValue(cell: ExcelJS.Cell, column: TemplateColumn, value: unknown): void {
  if (value === null || value === undefined || value === '') return;
  if (typeof value === 'number') {
    cell.value = value;
    return;
  }
  if (column.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    cell.value = new Date(`${value}T00:00:00Z`); // the column's style carries the date format
    return;
  }
  // A string value is written as a string cell: "=1+1" stays text. ID numbers and phones are text here too.
  cell.value = String(value);
}

function fillInfoRow(row: ExcelJS.Row, width: number, header: SheetHeader): void {
  const [y, m, d] = header.date.split('-').map(Number);
  for (let c = 1; c <= width; c++) {
    const cell = row.getCell(c);
    if (cell.isMerged && cell.master !== cell) continue; // a merged cell shows (and would write to) its range's first cell
    const text = typeof cell.value === 'string' ? cell.value : '';
    if (text.startsWith('填报单位')) cell.value = `${text}${header.unit}`;
    if (text.startsWith('填报日期')) cell.value = `填报日期：${y}年${m}月${d}日`;
  }
}

/** 填表人：/审核人： (or the blank's own words: 填报人, 负责人) with the names and dates from the reporting cycle, when there are any. */
function signed(text: string, signatures: SheetHeader['signatures']): string {
  const blank = /^(填表人|填报人|制表人|审核人|审批人|负责人)[：:]?\s*$/.exec(text);
  if (!blank) return text;
  const reviewer = /^(审核人|审批人|负责人)$/.test(blank[1]);
  const name = reviewer ? signatures?.reviewedBy : signatures?.filledBy;
  return name ? `${blank[1]}：${name}` : text;
}

/** Cells inside merged ranges other than each range's first cell, as "row:column". */
function coveredCells(merges: string[]): Set<string> {
  const covered = new Set<string>();
  const col = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
  for (const range of merges) {
    const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(range);
    if (!m) continue;
    for (let r = Number(m[2]); r <= Number(m[4]); r++) {
      for (let c = col(m[1]); c <= col(m[3]); c++) if (r !== Number(m[2]) || c !== col(m[1])) covered.add(`${r}:${c}`);
    }
  }
  return covered;
}
