import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { todayIso } from '../identity/index.js';
import { completeness } from './completeness.js';
import { ReportingService } from './reporting.service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 报送情况 as a workbook: a sheet of counts per form, a sheet of every org unit's state. */
@Controller('reporting')
export class CompletenessController {
  constructor(private readonly reporting: ReportingService) {}

  /** GET /reporting/completeness.xlsx?orgUnit=500106108000&period=2026-11 */
  @Needs('reports:read')
  @Get('completeness.xlsx')
  async workbook(@CurrentViewer() viewer: Viewer, @Query('orgUnit') orgUnit: string, @Query('period') period: string, @Res() res: Response): Promise<void> {
    const unit = await this.reporting.unitFor(viewer, orgUnit ?? '');
    const forms = completeness(await this.reporting.slots(viewer, unit.code, period ?? ''), todayIso());
    const book = new ExcelJS.Workbook();
    const summary = book.addWorksheet('报送情况');
    summary.addRow([`${unit.name}报表报送情况（${period}，统计日期 ${todayIso()}）`]).font = { bold: true, size: 14 };
    summary.addRow(['表单代码', '表单名称', '报送期', '截止日', '应报', '已报', '已审核', '退回', '待报', '逾期', '按时']).font = { bold: true };
    for (const f of forms) summary.addRow([f.code, f.formName, f.periodLabel, f.dueDate, f.expected, f.submitted, f.approved, f.returned, f.pending, f.overdue, f.onTime]);
    summary.columns.forEach((c, i) => (c.width = [10, 28, 14, 12][i] ?? 8));
    const detail = book.addWorksheet('各单位明细');
    detail.addRow(['表单代码', '表单名称', '报送期', '单位代码', '单位', '状态', '按时', '逾期']).font = { bold: true };
    for (const f of forms) for (const u of f.units) detail.addRow([f.code, f.formName, f.periodLabel, u.orgUnitCode, u.orgUnitName, u.statusName, u.onTime ? '是' : '否', u.overdue ? '是' : '否']);
    detail.columns.forEach((c, i) => (c.width = [10, 28, 14, 16, 20, 10, 6, 6][i]));
    const fileName = `${unit.name}报送情况-${period}.xlsx`;
    res.setHeader('Content-Type', XLSX);
    res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    res.setHeader('Cache-Control', 'no-store');
    await book.xlsx.write(res);
    res.end();
  }
}
