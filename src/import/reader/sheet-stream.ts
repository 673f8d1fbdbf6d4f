import { dateText, GENERAL, numberText, serialToDate } from './cell-format.js';
import { ImportFileError } from './import-file-error.js';
import type { WorkbookParts } from './workbook-parts.js';
import { type AttributeSpan, detach, nextAttribute, readAttributes } from './xml-scan.js';
import { scanXmlEntry } from './xml-stream.js';
import type { ZipGuard } from './zip-guard.js';

export type CellValue = string | number | boolean | Date | null;
export type CellProblem = { code: string; message: string };

/** A non-empty cell, as kept for the header rows. */
export interface SheetCell {
  column: number;
  value: CellValue;
  text: string;
  /** A number cell (not a date): an identifier here has lost its digits. */
  numeric: boolean;
  problem?: CellProblem;
}

/** One row's non-empty cells in parallel arrays, reused from row to row: copy what you keep. */
export interface RowCells {
  count: number;
  columns: number[];
  values: CellValue[];
  texts: string[];
  numeric: boolean[];
  problems: (CellProblem | undefined)[];
}

export const cellsOf = (r: RowCells): SheetCell[] =>
  Array.from({ length: r.count }, (_, i) => ({ column: r.columns[i], value: r.values[i], text: r.texts[i], numeric: r.numeric[i], problem: r.problems[i] }));

/** Called per row that has cells; returning false stops reading the sheet. */
export type RowHandler = (row: number, cells: RowCells) => boolean | void;

export interface Merge {
  ref: string;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** 1-based column of a cell reference (B7 → 2). */
export function columnOf(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + c - 64;
  }
  return n;
}

const rowOf = (ref: string) => Number(ref.replace(/^[A-Z]+/, ''));

export function parseMerge(ref: string): Merge | null {
  const [a, b = a] = ref.split(':');
  const m = { ref, top: rowOf(a), left: columnOf(a), bottom: rowOf(b), right: columnOf(b) };
  return m.top > 0 && m.left > 0 && m.bottom >= m.top && m.right >= m.left ? m : null;
}

/**
 * Streams the rows of one sheet, then its merged ranges (they follow the rows in the XML). Everything else after
 * the rows — data validations, conditional formats — is skipped unread: a validation over A5:A1048576 costs nothing.
 */
export async function streamSheet(zip: ZipGuard, entry: string, parts: WorkbookParts, onRow: RowHandler, onMerge: (m: Merge) => void): Promise<void> {
  const { sharedStrings, formats, date1904 } = parts;
  const cells: RowCells = { count: 0, columns: [], values: [], texts: [], numeric: [], problems: [] };
  const dateTexts = new Map<number, string>();
  let rowNumber = 0;
  let column = 0;
  let type = 'n';
  let style = 0;
  let formula = false;
  let v: string | null = null;
  let inline: string | null = null;
  let inInline = false;
  let phonetic = 0;
  let phase = 'before' as 'before' | 'rows' | 'after';
  let stopped = false;

  const put = (value: CellValue, text: string, numeric = false, problem?: CellProblem) => {
    const k = cells.count++;
    cells.columns[k] = column;
    cells.values[k] = value;
    cells.texts[k] = text;
    cells.numeric[k] = numeric;
    cells.problems[k] = problem;
  };
  const finishCell = () => {
    if (v === null && inline === null && !formula) return; // an empty styled cell
    if (type === 's') {
      const str = sharedStrings[Number(v)] ?? '';
      return put(str, str.trim());
    }
    if (type === 'inlineStr' || type === 'str') {
      const str = detach((type === 'str' ? v : inline) ?? '');
      return put(str, str.trim(), false, type === 'str' && v === null ? noCachedValue() : undefined);
    }
    if (type === 'b') return put(v === '1' || v === 'true', v === '1' || v === 'true' ? 'TRUE' : 'FALSE');
    if (type === 'e') {
      const shown = (v ?? '').trim() || '#VALUE!';
      return put(null, detach(shown), false, { code: 'CELL_ERROR', message: `单元格显示错误值 ${shown}，请改为实际内容` });
    }
    if (v === null || v.trim() === '') return formula ? put(null, '', false, noCachedValue()) : undefined;
    if (type === 'd') {
      const d = new Date(v.length <= 10 ? `${v}T00:00:00Z` : /Z|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
      return Number.isNaN(d.getTime()) ? put(detach(v), detach(v).trim()) : put(d, dateText(d, false));
    }
    const n = Number(v);
    const format = formats[style] ?? GENERAL;
    if (format.date) {
      const d = serialToDate(n, date1904);
      if (d) {
        const key = format.monthOnly ? -n - 1 : n;
        let text = dateTexts.get(key);
        if (text === undefined) dateTexts.set(key, (text = dateText(d, format.monthOnly)));
        return put(d, text);
      }
    }
    return Number.isFinite(n) ? put(n, numberText(n, format.places), true) : put(detach(v), detach(v).trim());
  };

  await scanXmlEntry(
    zip,
    entry,
    {
      wantText: false,
      open(name, buf, from, to) {
        if (phase !== 'rows') {
          if (name === 'sheetData' && phase === 'before') phase = 'rows';
          else if (name === 'mergeCell' && phase === 'after') readAttributes(buf, from, to, (k, val) => void (k === 'ref' && addMerge(val)));
          return;
        }
        switch (name) {
          case 'row': {
            let r = 0;
            for (let i = nextAttribute(buf, from, to, at); i >= 0; i = nextAttribute(buf, i, to, at)) {
              if (isName(buf, at, 114)) r = intAt(buf, at.valueStart, at.valueEnd);
            }
            rowNumber = r > 0 ? r : rowNumber + 1;
            cells.count = 0;
            column = 0;
            break;
          }
          case 'c': {
            let col = 0;
            type = 'n';
            style = 0;
            // r="B7" s="3" t="s", read in place: a sheet has millions of these.
            for (let i = nextAttribute(buf, from, to, at); i >= 0; i = nextAttribute(buf, i, to, at)) {
              if (isName(buf, at, 114)) col = columnAt(buf, at.valueStart, at.valueEnd);
              else if (isName(buf, at, 115)) style = intAt(buf, at.valueStart, at.valueEnd);
              else if (isName(buf, at, 116)) type = buf.slice(at.valueStart, at.valueEnd);
            }
            column = col > 0 ? col : column + 1;
            formula = false;
            v = inline = null;
            break;
          }
          case 'v':
            v = '';
            this.wantText = true;
            break;
          case 'f':
            formula = true;
            break;
          case 'is':
            inInline = true;
            inline = '';
            break;
          case 'rPh':
            phonetic++;
            break;
          case 't':
            this.wantText = inInline && phonetic === 0;
            break;
        }
      },
      close(name) {
        if (phase !== 'rows') return;
        switch (name) {
          case 'v':
          case 't':
            this.wantText = false;
            break;
          case 'is':
            inInline = false;
            break;
          case 'rPh':
            phonetic--;
            break;
          case 'c':
            finishCell();
            break;
          case 'row':
            if (cells.count && onRow(rowNumber, cells) === false) stopped = true;
            break;
          case 'sheetData':
            phase = 'after';
            break;
        }
      },
      text(t) {
        if (v !== null && inline === null) v += t;
        else if (inline !== null) inline += t;
      },
    },
    () => stopped,
  );
  // A sheet cut short would silently lose its last rows.
  if (!stopped && phase === 'rows') throw new ImportFileError('NOT_XLSX', '无法读取：工作表内容不完整（文件可能在保存或传输中被截断）。请用 Excel 打开后重新保存再上传');

  function addMerge(ref: string) {
    const m = parseMerge(ref);
    if (m) onMerge(m);
  }
}

const at: AttributeSpan = { nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0 };
const isName = (buf: string, a: AttributeSpan, code: number) => a.nameEnd - a.nameStart === 1 && buf.charCodeAt(a.nameStart) === code;

function intAt(buf: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = buf.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return to > from ? n : -1;
}

/** The column of a reference such as "AB12", read from the buffer. */
function columnAt(buf: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = buf.charCodeAt(k);
    if (c < 65 || c > 90) break;
    n = n * 26 + c - 64;
  }
  return n;
}

const noCachedValue = () => ({ code: 'FORMULA_WITHOUT_VALUE', message: '公式单元格没有计算结果，请在 Excel 中重新计算并保存，或改为直接填写内容' });

