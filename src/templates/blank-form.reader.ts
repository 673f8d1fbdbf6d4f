import ExcelJS from 'exceljs';

/**
 * A department's blank form (表样), read so templates need not retype its layout. Departments lay their forms out in
 * many ways: a title, perhaps a subtitle with the period (（____年第____季度）), a 填报单位 / 填报日期 row, a header of one
 * to three rows with nested merged groups (found through the print titles when the blank sets them, from the cells
 * and merges otherwise), a bordered blank body (perhaps with a 合计 row), then notes (说明：…) and a 填表人 / 负责人 line.
 */
export interface BlankForm {
  file: string;
  sheetName: string;
  /** Title text with its blanks, e.g. "____街道____社区独居老人信息台账". */
  title: string;
  /** The title's row (1-based). */
  titleRow: number;
  /** Rows between the title and the header with one text each, e.g. "（____年____月）", in order. */
  subtitles: { row: number; text: string }[];
  /** The row holding 填报单位 / 填报日期, if any (1-based). */
  infoRow: number | null;
  /** First and last header rows (1-based), e.g. [3, 4]. */
  headerRows: [number, number];
  /** Whether the blank sets print titles itself; an export repeats the header rows found either way. */
  printTitles: boolean;
  /** Per column: group headers (outermost first) then the leaf header. */
  headers: string[][];
  /** The blank body under the header: its bordered rows (last < first when the blank has none). */
  body: { first: number; last: number };
  /** A 合计 / 总计 label printed in the blank body (a summary's totals row), and where. */
  totalsLabel: { row: number; column: number; text: string } | null;
  /** Rows under the body from the first with text to the last (notes, footer): an export copies them under its rows. */
  trailer: { first: number; last: number } | null;
  /** The line holding 填表人 / 填报人 / 审核人 / 负责人 / 联系电话, and its cells. */
  footer: { row: number; cells: { column: number; text: string }[] } | null;
  /** Other lines under the table, e.g. "说明：1.本表按季度报送。", "2.出生年月按…填写". */
  notes: { row: number; text: string }[];
  merges: string[];
  /** Column widths in characters (null: Excel's default). */
  widths: (number | null)[];
  pageSetup: Partial<ExcelJS.PageSetup>;
  orientation: 'portrait' | 'landscape';
  /** Rows frozen above the body. */
  frozenRows: number;
}

export class BlankFormError extends Error {}

const INFO = /填报单位|填表单位|报送单位|填报日期|填表日期|统计日期/;
const FOOTER = /^(填表人|填报人|制表人|统计人|审核人|审批人|负责人|单位负责人|联系电话|联系人)/;
const TOTALS = /^(合\s*计|总\s*计)$/;
/** A header holds at most this many rows. */
const MAX_HEADER_ROWS = 3;

const text = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('').trim();
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).trim();
};

const bordered = (cell: ExcelJS.Cell): boolean => {
  const b = cell.border;
  return !!b && !!(b.top || b.bottom || b.left || b.right);
};

/** Reads a blank form's layout from its first sheet. */
export async function readBlankForm(file: string): Promise<BlankForm> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (e) {
    throw new BlankFormError(`无法读取表样文件：${(e as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new BlankFormError('表样文件中没有工作表');
  return readLayout(ws, file);
}

/** The layout of one sheet (pure over the sheet: the unit tests hand it sheets built in memory too). */
export function readLayout(ws: ExcelJS.Worksheet, file = ''): BlankForm {
  const lastRow = ws.rowCount;
  const cellText = (r: number, c: number) => text(ws.getCell(r, c).value);
  // A merged range shows its value in every cell it covers; `own` counts it once, in its first cell.
  const own = (r: number, c: number) => {
    const cell = ws.getCell(r, c);
    return cell.isMerged && cell.master.address !== cell.address ? '' : text(cell.value);
  };
  const texts = (r: number, width = ws.columnCount) => Array.from({ length: width }, (_, i) => own(r, i + 1)).filter(Boolean);

  let titleRow = 1;
  while (titleRow <= lastRow && texts(titleRow).length === 0) titleRow++;
  if (titleRow > lastRow) throw new BlankFormError('表样是空的：没有标题，也没有表头');
  const title = texts(titleRow)[0];
  if (texts(titleRow).length > 1) throw new BlankFormError(`表样第 ${titleRow} 行应只有表格标题（通常合并居中），却有 ${texts(titleRow).length} 段文字`);

  // Above the header: subtitles (one text, no border: the period) and the 填报单位 / 填报日期 row.
  const subtitles: BlankForm['subtitles'] = [];
  let infoRow: number | null = null;
  let firstHeader = titleRow + 1;
  for (; firstHeader <= lastRow; firstHeader++) {
    const row = texts(firstHeader);
    if (row.length === 0) continue;
    if (!infoRow && row.some((t) => INFO.test(t))) infoRow = firstHeader;
    else if (row.length === 1 && !rowBordered(ws, firstHeader) && !infoRow) subtitles.push({ row: firstHeader, text: row[0] });
    else break;
  }
  if (firstHeader > lastRow) throw new BlankFormError('表样中没有找到表头（标题和填报单位行之下应是表头）');

  // The table is as wide as its header's first row (columns beyond it hold no table).
  const columns = lastColumnWithText(ws, firstHeader);
  const printTitles = /^\$?(\d+):\$?(\d+)$/.exec(ws.pageSetup.printTitlesRow ?? '');
  let lastHeader: number;
  if (printTitles && Number(printTitles[2]) >= firstHeader) {
    lastHeader = Number(printTitles[2]);
  } else {
    // No print titles: the header goes down as far as a merge from its first row reaches, and on while every column
    // of the next row has a label (a leaf under a group, or a cell merged down) — a body row never does.
    lastHeader = firstHeader;
    for (const range of mergeRanges(ws)) if (range.top === firstHeader && range.bottom > lastHeader) lastHeader = range.bottom;
    const labelled = (r: number) => Array.from({ length: columns }, (_, i) => cellText(r, i + 1)).every((t) => t !== '' && !/^[（(]?\d+[)）]?$/.test(t));
    while (lastHeader < firstHeader + MAX_HEADER_ROWS - 1 && lastHeader < lastRow && labelled(lastHeader + 1)) lastHeader++;
  }
  if (lastHeader - firstHeader + 1 > MAX_HEADER_ROWS) throw new BlankFormError(`表头有 ${lastHeader - firstHeader + 1} 行（第 ${firstHeader}–${lastHeader} 行），最多 ${MAX_HEADER_ROWS} 行`);

  const headers = Array.from({ length: columns }, (_, i) => {
    const path: string[] = [];
    for (let r = firstHeader; r <= lastHeader; r++) {
      const cell = ws.getCell(r, i + 1);
      if (cell.isMerged && Number(cell.master.row) < r) continue; // merged down from the row above: the same label
      const t = text(cell.value);
      if (t && path[path.length - 1] !== t) path.push(t);
    }
    return path;
  });
  const empty = headers.findIndex((h) => h.length === 0);
  if (empty >= 0) throw new BlankFormError(`表样第 ${empty + 1} 列没有表头（第 ${firstHeader}–${lastHeader} 行）`);

  // The blank body: bordered rows under the header, perhaps ending in a 合计 row.
  const body = { first: lastHeader + 1, last: lastHeader };
  let totalsLabel: BlankForm['totalsLabel'] = null;
  while (body.last < lastRow && rowBordered(ws, body.last + 1, columns)) {
    body.last++;
    for (let c = 1; c <= columns; c++) {
      const t = own(body.last, c);
      if (TOTALS.test(t)) totalsLabel = { row: body.last, column: c, text: t };
    }
  }

  // Under the table: notes and the 填表人 line, as one block from the first row with text to the last.
  let [trailerFirst, trailerLast] = [0, 0];
  let footer: BlankForm['footer'] = null;
  const notes: BlankForm['notes'] = [];
  for (let r = body.last + 1; r <= lastRow; r++) {
    const cells = Array.from({ length: Math.max(columns, ws.columnCount) }, (_, i) => ({ column: i + 1, text: own(r, i + 1) })).filter((c) => c.text);
    if (cells.length === 0) continue;
    trailerFirst ||= r;
    trailerLast = r;
    if (!footer && cells.some((c) => FOOTER.test(c.text))) footer = { row: r, cells };
    else notes.push({ row: r, text: cells.map((c) => c.text).join(' ') });
  }

  const frozen = ws.views.find((v) => v.state === 'frozen') as { ySplit?: number } | undefined;
  return {
    file,
    sheetName: ws.name,
    title,
    titleRow,
    subtitles,
    infoRow,
    headerRows: [firstHeader, lastHeader],
    printTitles: !!printTitles,
    headers,
    body,
    totalsLabel,
    trailer: trailerFirst ? { first: trailerFirst, last: trailerLast } : null,
    footer,
    notes,
    merges: [...((ws.model as { merges?: string[] }).merges ?? [])],
    widths: Array.from({ length: columns }, (_, i) => ws.getColumn(i + 1).width ?? null),
    pageSetup: { ...ws.pageSetup },
    orientation: ws.pageSetup.orientation === 'landscape' ? 'landscape' : 'portrait',
    frozenRows: frozen?.ySplit ?? 0,
  };
}

function rowBordered(ws: ExcelJS.Worksheet, r: number, width = ws.columnCount): boolean {
  for (let c = 1; c <= width; c++) if (bordered(ws.getCell(r, c))) return true;
  return false;
}

function lastColumnWithText(ws: ExcelJS.Worksheet, r: number): number {
  for (let c = ws.columnCount; c >= 1; c--) if (text(ws.getCell(r, c).value)) return c;
  return 0;
}

/** The sheet's merged ranges as row and column numbers. */
export function mergeRanges(ws: ExcelJS.Worksheet): { top: number; left: number; bottom: number; right: number; range: string }[] {
  return ((ws.model as { merges?: string[] }).merges ?? []).flatMap((range) => {
    const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(range);
    return m ? [{ top: Number(m[2]), left: columnNumber(m[1]), bottom: Number(m[4]), right: columnNumber(m[3]), range }] : [];
  });
}

export const columnNumber = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/**
 * The pattern of a title or subtitle with blanks: "____街道____社区…（截至____年____月____日）" →
 * "{street}{community}…（截至{year}年{month}月{day}日）"; "（____年第____季度）" → "（{year}年第{quarter}季度）".
 */
export function titlePattern(blankTitle: string): string {
  return blankTitle
    .replace(/_+街道/, '{street}')
    .replace(/_+社区/, '{community}')
    .replace(/_+年_+月_+日/, '{year}年{month}月{day}日')
    .replace(/_+年_+月/, '{year}年{month}月')
    .replace(/_+年第_+季度/, '{year}年第{quarter}季度')
    .replace(/_+年度/, '{year}年度')
    .replace(/…+年…+月/, '{year}年{month}月');
}
