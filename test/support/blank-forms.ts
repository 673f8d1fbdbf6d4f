import ExcelJS from 'exceljs';

/**
 * Writes a blank form (表样) in the house layout: title in row 1, 填报单位 / 填报日期 in row 2, headers from row 3
 * (one row, or a group row above the leaves: `['发放标准', '年龄段']`), print titles over the header rows, an empty
 * body row, then 填表人 / 审核人. Fixture templates of new forms point at it (test/fixtures/extra-templates).
 */
export async function writeBlankForm(file: string, title: string, headers: (string | [string, string])[], widths: number[] = []): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const grouped = headers.some((h) => Array.isArray(h));
  const last = grouped ? 4 : 3;
  const ws = wb.addWorksheet('Sheet1', { views: [{ state: 'frozen', ySplit: last }], pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `3:${last}` } });
  ws.getCell(1, 1).value = title;
  ws.mergeCells(1, 1, 1, headers.length);
  ws.getCell(2, 1).value = '填报单位（盖章）：';
  ws.getCell(2, headers.length).value = '填报日期：    年  月  日';
  const border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } } as const;
  headers.forEach((h, i) => {
    const c = i + 1;
    const [group, leaf] = Array.isArray(h) ? h : [h, h];
    ws.getCell(3, c).value = group;
    if (grouped) ws.getCell(4, c).value = leaf;
    for (let r = 3; r <= last; r++) ws.getCell(r, c).style = { border, alignment: { horizontal: 'center', vertical: 'middle', wrapText: true }, font: { bold: true } };
    if (grouped && !Array.isArray(h)) ws.mergeCells(3, c, 4, c);
    ws.getColumn(c).width = widths[i] ?? 10;
  });
  // Group headers over several leaves: one merged cell.
  for (let c = 1; c <= headers.length; ) {
    const h = headers[c - 1];
    let end = c;
    while (Array.isArray(h) && end < headers.length && Array.isArray(headers[end]) && (headers[end] as string[])[0] === h[0]) end++;
    if (end > c) ws.mergeCells(3, c, 3, end);
    c = end + 1;
  }
  for (let c = 1; c <= headers.length; c++) ws.getCell(last + 1, c).style = { border };
  ws.getCell(last + 2, 1).value = '填表人：';
  ws.getCell(last + 2, Math.max(2, headers.length - 2)).value = '审核人：';
  await wb.xlsx.writeFile(file);
}
