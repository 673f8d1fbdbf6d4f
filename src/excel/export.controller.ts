import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { ReadRouting } from '../database/read-routing.js';
import { ExportService } from './export.service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@Controller('exports')
export class ExportController {
  constructor(
    private readonly exports: ExportService,
    private readonly reads: ReadRouting,
  ) {}

  /**
   * GET /exports/F01?orgUnit=500106108001&date=2026-11-25[&format=csv] → the form as .xlsx in the department's
   * layout, or CSV. `reason`: why a file with full values is taken (required of department accounts with full values). `period=2026-11`: the period's submitted or approved report (frozen, signed); `all` with a street
   * and a period: every report of the period, one sheet each. Authorization: Bearer <token>, or the `ticket` of a URL from the exportForm mutation.
   */
  @Needs('export')
  @Get(':code')
  async export(
    @CurrentViewer() viewer: Viewer,
    @Param('code') code: string,
    @Query('orgUnit') orgUnit: string,
    @Query('date') date: string | undefined,
    @Query('format') format: string | undefined,
    @Query('period') period: string | undefined,
    @Query('reason') reason: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const request = { code, orgUnit, date, period, reason, format: format === 'csv' ? ('csv' as const) : ('xlsx' as const) };
    // Read from the replica when there is one; no second try on the primary once bytes have gone out.
    await this.reads.replica(viewer, async () => {
      const plan = await this.exports.prepare(viewer, request, { count: false });
      const { fileName } = plan;
      res.setHeader('Content-Type', request.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX);
      res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
      res.setHeader('Cache-Control', 'no-store');
      await this.exports.write(viewer, plan, res);
    }, { retry: false });
    res.end();
  }
}
