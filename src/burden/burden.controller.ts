import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { BurdenService } from './burden.service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@Controller('burden')
export class BurdenController {
  constructor(private readonly burden: BurdenService) {}

  /** GET /burden/report.xlsx?orgUnit=500106108000&period=2026-11: the burden report as a workbook, audited as an export. */
  @Needs('reports:read')
  @Get('report.xlsx')
  async workbook(@CurrentViewer() viewer: Viewer, @Query('orgUnit') orgUnit: string, @Query('period') period: string, @Res() res: Response): Promise<void> {
    const { fileName, bytes } = await this.burden.workbook(viewer, orgUnit ?? '', period ?? '');
    res.setHeader('Content-Type', XLSX);
    res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(bytes);
  }
}
