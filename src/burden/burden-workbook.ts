import ExcelJS from 'exceljs';
import type { BurdenReportType } from './burden.types.js';

/** The burden report as a workbook: 概况, 各表单, 各字段, 部门重叠 (Chinese headers, one row per item). */
export async function burdenWorkbook(report: BurdenReportType): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const bold = { bold: true };

  const summary = book.addWorksheet('概况');
  summary.addRow([`${report.orgUnitName}减负报告（${report.periodLabel}，${report.from} 至 ${report.to}）`]).font = { bold: true, size: 14 };
  summary.addRow(['项目', '数值']).font = bold;
  const lines: [string, string | number | null][] = [
    ['区划代码', report.orgUnitCode],
    ['区划', report.orgUnitName],
    ['统计期', report.period],
    ['人工录入的事实', report.factsTyped],
    ['字段修改次数', report.changesTyped],
    ['填入部门表单的单元格', report.cellsFilled],
    ['每个事实填入的单元格', report.cellsPerFact],
    ['无需另行填写的表单（份）', report.formsWithoutTyping],
    ['这些表单的单元格', report.cellsProduced],
  ];
  for (const line of lines) summary.addRow(line);
  summary.columns.forEach((c, i) => (c.width = [28, 20][i]));

  const forms = book.addWorksheet('各表单');
  forms.addRow(['表单代码', '表单名称', '部门', '列数', '与其他表单相同的列', '份数', '行数', '单元格', '本期录入填入的单元格']).font = bold;
  for (const f of report.byForm) forms.addRow([f.code, f.name, f.department, f.columns, f.sharedColumns, f.copies, f.rows, f.cells, f.cellsFilled]);
  forms.columns.forEach((c, i) => (c.width = [10, 30, 28, 8, 18, 8, 8, 10, 20][i]));

  const fields = book.addWorksheet('各字段');
  fields.addRow(['字段键', '字段', '供数表单数', '供数列数', '表单', '本期录入的事实', '填入的单元格']).font = bold;
  for (const f of report.byField) fields.addRow([f.field, f.label, f.forms, f.columns, f.formCodes.join('、'), f.factsTyped, f.cellsFilled]);
  fields.columns.forEach((c, i) => (c.width = [24, 22, 12, 10, 30, 14, 12][i]));

  const overlap = book.addWorksheet('部门重叠');
  overlap.addRow(['部门甲', '部门乙', '相同的事实数', '部门甲的列', '部门乙的列', '相同的事实']).font = bold;
  for (const o of report.overlap) overlap.addRow([o.departmentA, o.departmentB, o.sharedFields, o.columnsA, o.columnsB, o.fields.join('、')]);
  overlap.columns.forEach((c, i) => (c.width = [24, 24, 14, 12, 12, 60][i]));

  return Buffer.from(await book.xlsx.writeBuffer());
}
