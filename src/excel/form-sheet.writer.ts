import ExcelJS from 'exceljs';
import type { BlankForm } from '../templates/blank-form.reader.js';
import type { TemplateColumn } from '../templates/template.types.js';
import { drained } from './stream-backpressure.js';

export interface SheetHeader {
  title: string;
  /** 填报单位 (the community or street). */
  unit: string;
  /** 填报日期, yyyy-mm-dd. */
  date: string;
  /** A submitted report's 填表人 and 审核人 with their dates, filled into the blank form's footer. */
  signatures?: { filledBy: string | null; reviewedBy: string | null };
}

const THIN = { style: 'thin' } as const;
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const DATE_FORMAT = 'yyyy-mm-dd';
const DATE_WIDTH = 11;

/**
 * Writes one form as a sheet laid out like the department's blank form: the header block copied from the blank
 * (values, styles, merges), widths and page setup, bordered body rows streamed in, then the footer.
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
  const widths = layout.widths.map((width, c) => width ?? (columns[c]?.type === 'date' ? DATE_WIDTH : 9));
  ws.columns = widths.map((width) => ({ width }));

  const covered = coveredCells(layout.merges);
  for (let r = 1; r <= lastHeader; r++) {
    const source = blank.getRow(r);
    const row = ws.getRow(r);
    if (source.height) row.height = source.height;
    for (let c = 1; c <= columns.length; c++) {
      const from = source.getCell(c);
      const cell = row.getCell(c);
      if (!covered.has(`${r}:${c}`)) cell.value = from.value; // a merged range keeps its value in its first cell only
      cell.style = structuredClone(from.style);
    }
  }
  ws.getCell(1, 1).value = header.title;
  if (layout.infoRow) fillInfoRow(ws.getRow(layout.infoRow), columns.length, header);
  for (const range of layout.merges) {
    const end = /:[A-Z]+(\d+)$/.exec(range);
    if (end && Number(end[1]) <= lastHeader) ws.mergeCells(range);
  }
  for (let r = 1; r <= lastHeader; r++) ws.getRow(r).commit();

  // Two style objects per column, shared by every body cell (cloning per cell costs more than writing it): text
  // wraps, so the row grows and a printed address is never cut at the cell's edge; a number, date or code (phone, ID
  // number) has no place to break and shrinks to fit instead.
  const bodyStyles = Array.from({ length: columns.length }, (_, c) => {
    const base: Partial<ExcelJS.Style> = {
      ...structuredClone(blank.getRow(lastHeader + 1).getCell(c + 1).style ?? {}),
      border: BORDER,
      ...(columns[c].type === 'date' ? { numFmt: DATE_FORMAT } : {}),
    };
    const alignment = { vertical: 'middle', ...base.alignment } as Partial<ExcelJS.Alignment>;
    return {
      wrap: { ...base, alignment: { ...alignment, wrapText: true, shrinkToFit: false } },
      shrink: { ...base, alignment: { ...alignment, wrapText: false, shrinkToFit: true } },
    };
  });
  // LibreOffice keeps the default height of a row that gives none (and cuts the wrapped lines): a row of wrapped
  // text gets a height for its lines, measured generously (a CJK character is two digit widths and more).
  const fontSize = Number(blank.getRow(lastHeader + 1).getCell(1).style?.font?.size ?? 11);
  const lineHeight = Math.ceil(fontSize * 1.4);
  let n = 0;
  for await (const values of rows) {
    const row = ws.getRow(lastHeader + 1 + n);
    let lines = 1;
    values.forEach((value, c) => {
      const cell = row.getCell(c + 1);
      const whole = unbreakable(value);
      cell.style = whole ? bodyStyles[c].shrink : bodyStyles[c].wrap;
      setValue(cell, columns[c], value);
      if (!whole && typeof value === 'string') lines = Math.max(lines, linesIn(value, widths[c] ?? 9, fontSize));
    });
    if (lines > 1) row.height = lines * lineHeight + 4;
    row.commit();
    // exceljs applies no backpressure of its own: without this, memory grows by a row's XML per row.
    if (++n % 1000 === 0) await drained(workbook);
  }
  if (layout.footer) {
    const row = ws.getRow(lastHeader + 1 + n);
    for (const { column, text } of layout.footer.cells) row.getCell(column).value = signed(text, header.signatures);
    row.commit();
  }
  ws.commit();
  return n;
}

/**
 * How many lines a wrapped text takes in a column (width in Excel's units: digits of the default 11 pt font). Errs
 * on the high side: a line breaks before a run of digits or letters that does not fit, leaving the line short.
 */
export function linesIn(text: string, width: number, fontSize = 11): number {
  const usable = Math.max(1, width - 1) * (11 / fontSize);
  // Most cells are short: no need to weigh each character (a million rows pass here).
  if (text.length * 2.1 * 1.05 <= usable && !text.includes('\n')) return 1;
  let lines = 0;
  for (const part of text.split('\n')) {
    let units = 0;
    for (const ch of part) units += ch.charCodeAt(0) > 0x2e7f ? 2.1 : 1.1;
    lines += Math.max(1, Math.ceil((units * 1.05) / usable));
  }
  return lines;
}

/** A value that must print on one line, whole: a number, or one token of Latin letters and digits (phones, ID numbers). */
function unbreakable(value: unknown): boolean {
  return typeof value === 'number' || (typeof value === 'string' && /^[\x21-\x7e]+$/.test(value));
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
    const text = typeof cell.value === 'string' ? cell.value : '';
    if (text.startsWith('填报单位')) cell.value = `${text}${header.unit}`;
    if (text.startsWith('填报日期')) cell.value = `填报日期：${y}年${m}月${d}日`;
  }
}

/** 填表人：/审核人： with the names and dates from the reporting cycle, when there are any. */
function signed(text: string, signatures: SheetHeader['signatures']): string {
  if (signatures?.filledBy && /^填表人[：:]?\s*$/.test(text)) return `填表人：${signatures.filledBy}`;
  if (signatures?.reviewedBy && /^审核人[：:]?\s*$/.test(text)) return `审核人：${signatures.reviewedBy}`;
  return text;
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
