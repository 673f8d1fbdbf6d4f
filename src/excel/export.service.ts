import path from 'node:path';
import type { Writable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { ConfigService } from '../config/config.service.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import type { Viewer } from '../views/view-access.js';
import { ViewsService } from '../views/views.service.js';
import { writeCsv } from './csv.writer.js';
import { writeFormSheet } from './form-sheet.writer.js';

export interface ExportRequest {
  code: string;
  orgUnit: string;
  date?: string | null;
  format?: 'xlsx' | 'csv';
}

/** A form exported as Excel in the department's own layout (one community → one sheet). */
@Injectable()
export class ExportService {
  constructor(
    private readonly views: ViewsService,
    private readonly orgUnits: OrgUnitRepository,
    @Inject(ConfigService) private readonly config: ConfigService,
  ) {}

  /** Checks the request and names the file, before anything is written. */
  async prepare(viewer: Viewer, request: ExportRequest) {
    const def = this.views.template(request.code);
    if (!def.layout) throw new NotFoundError(`表单 ${def.code} 没有部门表样，无法按表样导出`);
    const first = await this.views.formView(viewer, { code: def.code, orgUnit: request.orgUnit, referenceDate: request.date, first: 1 });
    const lineage = await this.orgUnits.lineage(request.orgUnit);
    const unit = lineage[0];
    const period = def.period === 'month' ? first.referenceDate.slice(0, 7) : first.referenceDate;
    const extension = request.format === 'csv' ? 'csv' : 'xlsx';
    return { def, unit, referenceDate: first.referenceDate, title: first.title, fileName: `${unit.name}${def.name}-${period}.${extension}` };
  }

  async write(viewer: Viewer, request: ExportRequest, out: Writable): Promise<number> {
    const { def, unit, referenceDate, title } = await this.prepare(viewer, request);
    const views = this.views;
    async function* rows() {
      let after: string | null = null;
      do {
        const page = await views.formView(viewer, { code: def.code, orgUnit: request.orgUnit, referenceDate, first: 500, after });
        yield* page.rows;
        if (page.totals) yield page.totals;
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
    }
    if (request.format === 'csv') return writeCsv(out, def.columns.map((c) => c.header), rows());
    const blank = new ExcelJS.Workbook();
    await blank.xlsx.readFile(path.resolve(this.config.templatesDir, def.layout!.file));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const count = await writeFormSheet(workbook, blank.worksheets[0], def.layout!, unit.name, { title, unit: unit.name, date: referenceDate }, def.columns, rows());
    await workbook.commit();
    return count;
  }
}
