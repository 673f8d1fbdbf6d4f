import type { ReadProblem } from './reader.types.js';
import type { CellValue, Merge, RowCells } from './sheet-stream.js';

/** Body rows in flat arrays (row-major, one slot per mapped column): cheap to post from the worker. */
export interface CompactRows {
  keys: string[];
  columns: number[];
  rowNumbers: number[];
  values: CellValue[];
  texts: string[];
  /** Cell and row problems, each with its row. */
  problems: ReadProblem[];
}

const fold = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
const TOTALS = /^(合计|总计|小计|共计|累计)/;
const FOOTER = /^(填表人|填报人|制表人|审核人|审批人|负责人|单位负责人|联系电话|联系人|填表日期|填报日期)|^(注|说明|备注)\d*[:：]/;
/** 1.10105E+17 typed back in as text: the digits were lost when it was a number. */
const SCIENTIFIC = /^\d(\.\d+)?E\+?\d+$/i;

/**
 * Collects the body: every row below the header up to the footer. Blank rows, 合计/总计 rows and a row of column
 * numbers (1, 2, 3… under the header, common in department forms) are skipped; the 填表人/审核人 line ends the body.
 */
export class BodyCollector {
  readonly out: CompactRows;
  readonly warnings: ReadProblem[] = [];
  private readonly slot = new Map<number, number>();
  private footerRow: number | null = null;
  private readonly afterFooter: number[] = [];

  constructor(
    map: { key: string; column: number }[],
    private readonly headers: Map<string, string>,
    private readonly lastHeaderRow: number,
    private readonly identifierKeys: Set<string>,
  ) {
    this.out = { keys: map.map((m) => m.key), columns: map.map((m) => m.column), rowNumbers: [], values: [], texts: [], problems: [] };
    map.forEach((m, i) => this.slot.set(m.column, i));
  }

  /** Takes one sheet row (rows arrive in order; the cells are reused by the caller). */
  add(row: number, cells: RowCells): void {
    if (row <= this.lastHeaderRow) return;
    const { texts, problems, columns } = cells;
    let first = -1;
    let filled = 0;
    let mappedFilled = 0;
    for (let k = 0; k < cells.count; k++) {
      if (texts[k] === '' && !problems[k]) continue;
      if (first < 0) first = k;
      filled++;
      if (this.slot.has(columns[k])) mappedFilled++;
    }
    if (filled === 0) return;
    if (this.footerRow !== null) {
      // Nothing after the footer is read; say so if it looks like data, rather than drop it silently.
      if (mappedFilled >= 2) this.afterFooter.push(row);
      return;
    }
    const head = fold(texts[first]);
    if (FOOTER.test(head)) {
      this.footerRow = row;
      return;
    }
    if (TOTALS.test(head)) {
      this.warnings.push({ row, code: 'TOTALS_ROW_SKIPPED', message: `第 ${row} 行是"${texts[first]}"行，不是数据，已跳过` });
      return;
    }
    if (this.out.rowNumbers.length === 0 && isColumnNumbers(cells)) return;
    this.take(row, cells);
  }

  private take(row: number, cells: RowCells): void {
    const { keys, rowNumbers, values, texts, problems } = this.out;
    const base = values.length;
    for (let i = 0; i < keys.length; i++) {
      values.push(null);
      texts.push('');
    }
    rowNumbers.push(row);
    for (let k = 0; k < cells.count; k++) {
      const column = cells.columns[k];
      const i = this.slot.get(column);
      if (i === undefined) continue;
      const key = keys[i];
      let value = cells.values[k];
      let text = cells.texts[k];
      const problem = cells.problems[k];
      if (problem) problems.push({ row, column, code: problem.code, message: `"${this.header(key)}"列：${problem.message}` });
      if (this.identifierKeys.has(key) && text !== '') {
        const numeric = cells.numeric[k];
        const lost = numeric ? !Number.isSafeInteger(value) || String(value).length > 15 : SCIENTIFIC.test(text);
        if (lost) {
          problems.push({
            row,
            column,
            code: 'ID_NUMBER_AS_NUMBER',
            message: `"${this.header(key)}"列：号码被 Excel 存成了数字（${text}），后几位已丢失，无法恢复。请把该列设为"文本"格式后重新填写完整号码`,
          });
          value = null;
          text = '';
        } else if (numeric) value = text; // a short number here is still an identifier, as text
      }
      values[base + i] = value;
      texts[base + i] = text;
    }
  }

  private header(key: string): string {
    return this.headers.get(key) ?? key;
  }

  /** After the sheet: merged ranges reaching into kept rows are errors of those rows, naming the range. */
  finish(merges: Merge[]): void {
    const { rowNumbers, columns, problems } = this.out;
    if (this.afterFooter.length) {
      const rows = this.afterFooter;
      this.warnings.push({
        row: rows[0],
        code: 'ROWS_AFTER_FOOTER',
        message: `第 ${this.footerRow} 行是表尾（填表人/审核人等），其后还有 ${rows.length} 行内容（第 ${rows[0]} 行起）未读取；如果是数据，请移到表尾之前`,
      });
    }
    // Bounded work whatever the file holds: a hostile one may list thousands of merges over the same rows.
    let budget = MERGE_WORK;
    for (const m of merges) {
      if (m.bottom <= this.lastHeaderRow || !columns.some((c) => c >= m.left && c <= m.right)) continue;
      for (let k = lowerBound(rowNumbers, m.top); k < rowNumbers.length && rowNumbers[k] <= m.bottom; k++) {
        if (--budget < 0) {
          this.warnings.push({ code: 'MERGED_BODY_CELLS', message: '数据区的合并单元格太多，未能逐一列出。请取消数据区的全部合并单元格后重新上传' });
          return;
        }
        problems.push({
          row: rowNumbers[k],
          column: m.left,
          code: 'MERGED_BODY_CELLS',
          message: `数据区有合并单元格 ${m.ref}：合并后只有第一格有内容，其余各格会被当作空白。请取消合并，并在每一行、每一列分别填写`,
        });
      }
    }
  }
}

/** Row problems from merged ranges at most (beyond it one warning says there are more). */
const MERGE_WORK = 200_000;

/** A row 1, 2, 3… (each cell its own column's number), printed under some headers. */
function isColumnNumbers(cells: RowCells): boolean {
  const shown: number[] = [];
  for (let k = 0; k < cells.count; k++) if (cells.texts[k] !== '') shown.push(k);
  if (shown.length < 3) return false;
  const offset = cells.columns[shown[0]] - 1;
  return shown.every((k) => cells.texts[k].replace(/^\((\d+)\)$/, '$1') === String(cells.columns[k] - offset));
}

function lowerBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
