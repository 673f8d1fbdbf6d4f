import ExcelJS from 'exceljs';

/** A department's blank form (表样), read so templates need not retype its layout. */
export interface BlankForm {
  file: string;
  sheetName: string;
  /** Title text with its blanks, e.g. "____街道____社区独居老人信息台账". */
  title: string;
  /** The row holding 填报单位 / 填报日期, if any (1-based). */
  infoRow: number | null;
  /** First and last header rows (1-based), e.g. [3, 4]. */
  headerRows: [number, number];
  /** Per column: group headers then the leaf header. */
  headers: string[][];
  /** Row after the blank body holding 填表人 / 审核人 / 联系电话, and its cells. */
  footer: { row: number; cells: { column: number; text: string }[] } | null;
  merges: string[];
  /** Column widths in characters (null: Excel's default). */
  widths: (number | null)[];
  pageSetup: Partial<ExcelJS.PageSetup>;
  /** Rows frozen above the body. */
  frozenRows: number;
}

export class BlankFormError extends Error {}

const text = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  return String(v).trim();
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
  const columns = ws.columnCount;
  const rowText = (r: number) => Array.from({ length: columns }, (_, i) => text(ws.getRow(r).getCell(i + 1).value));

  const title = text(ws.getCell(1, 1).value);
  if (!title) throw new BlankFormError('表样 A1 单元格应为表格标题');
  const infoRow = rowText(2).some((t) => /填报(单位|日期)/.test(t)) ? 2 : null;
  const printTitles = /^(\d+):(\d+)$/.exec(ws.pageSetup.printTitlesRow ?? '');
  const firstHeader = infoRow ? infoRow + 1 : 2;
  let lastHeader = printTitles ? Number(printTitles[2]) : firstHeader;
  if (!printTitles) while (rowText(lastHeader + 1).every((t) => t !== '') && lastHeader < firstHeader + 3) lastHeader++;
  const headers = Array.from({ length: columns }, (_, c) => {
    const path: string[] = [];
    for (let r = firstHeader; r <= lastHeader; r++) {
      const t = rowText(r)[c];
      if (t && path[path.length - 1] !== t) path.push(t); // a cell merged down repeats its value
    }
    return path;
  });
  const empty = headers.findIndex((h) => h.length === 0);
  if (empty >= 0) throw new BlankFormError(`表样第 ${empty + 1} 列没有表头`);

  let footer: BlankForm['footer'] = null;
  for (let r = ws.rowCount; r > lastHeader; r--) {
    const cells = rowText(r).map((t, i) => ({ column: i + 1, text: t })).filter((c) => c.text);
    if (cells.length) {
      footer = { row: r, cells };
      break;
    }
  }
  const frozen = ws.views.find((v) => v.state === 'frozen') as { ySplit?: number } | undefined;
  return {
    file,
    sheetName: ws.name,
    title,
    infoRow,
    headerRows: [firstHeader, lastHeader],
    headers,
    footer,
    merges: [...((ws.model as { merges?: string[] }).merges ?? [])],
    widths: Array.from({ length: columns }, (_, i) => ws.getColumn(i + 1).width ?? null),
    pageSetup: { ...ws.pageSetup },
    frozenRows: frozen?.ySplit ?? 0,
  };
}

/** The title pattern of a blank title: "____街道____社区…（截至____年____月____日）" → "{street}{community}…（截至{year}年{month}月{day}日）". */
export function titlePattern(blankTitle: string): string {
  return blankTitle
    .replace(/_+街道/, '{street}')
    .replace(/_+社区/, '{community}')
    .replace(/_+年_+月_+日/, '{year}年{month}月{day}日')
    .replace(/_+年_+月/, '{year}年{month}月')
    .replace(/…+年…+月/, '{year}年{month}月');
}
