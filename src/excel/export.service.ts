import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { NotFoundError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { ConfigService } from '../config/config.service.js';
import { AccessPolicy } from '../access/access-policy.js';
import { todayIso } from '../identity/index.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import type { TemplateDef } from '../templates/template.types.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { ViewsService } from '../views/views.service.js';
import { writeCsv } from './csv.writer.js';
import { ExportReasonRequiredError } from './export-errors.js';
import { HashingStream } from './hashing-stream.js';
import { writeFormSheet } from './form-sheet.writer.js';
import { ReportRepository } from '../reporting/report.repository.js';

export const ALL_FORMS = 'all';

export interface ExportRequest {
  /** A form code, or "all" for every form of a community in one workbook. */
  code: string;
  orgUnit: string;
  date?: string | null;
  /** A reporting period: submitted or approved reports give their frozen rows, signed by filler and reviewer. */
  period?: string | null;
  format?: 'xlsx' | 'csv';
  /** Why a file with full ID and phone numbers is taken (required of department accounts with full values: AccessPolicy.exportNeedsReason); stored in the audit line. */
  reason?: string | null;
}

/** The reason as stored: trimmed, at most 200 characters; null when none was given. */
function exportReason(request: ExportRequest): string | null {
  const reason = request.reason?.trim() ?? '';
  if (Array.from(reason).length > 200) throw new ValidationFailedError([{ path: ['reason'], code: 'TOO_LONG', message: '导出用途最多 200 个字' }]);
  return reason || null;
}

export type ExportPlan = Awaited<ReturnType<ExportService['prepare']>>;

/** One sheet of an export: a form for one org unit. */
interface SheetJob {
  def: TemplateDef;
  orgUnit: string;
  sheetName: string;
}

/**
 * Forms exported as Excel in each department's own layout: a community → one sheet; a street → one sheet per
 * community plus the street's summary forms; "all" for a community → one sheet per form.
 */
@Injectable()
export class ExportService {
  constructor(
    private readonly views: ViewsService,
    private readonly orgUnits: OrgUnitRepository,
    @Inject(ConfigService) private readonly config: ConfigService,
    private readonly audit: AuditService,
    private readonly reports: ReportRepository,
    private readonly policy: AccessPolicy,
  ) {}

  /** Checks the request (and the viewer's reach: org unit, templates) and plans the sheets, before a byte is written. */
  async prepare(viewer: Viewer, request: ExportRequest, options: { count?: boolean } = {}) {
    const unit = await this.policy.unit(viewer, request.orgUnit);
    if (this.policy.exportNeedsReason(viewer) && !exportReason(request)) throw new ExportReasonRequiredError();
    const csv = request.format === 'csv';
    let jobs: SheetJob[];
    let name: string;
    if (request.code === ALL_FORMS && request.period && (unit.level === 'street' || unit.level === 'district')) {
      // A street (or district) takes every report of the period in one go: one sheet per submitted or approved report.
      const visible = new Map(this.views.listFor(viewer).map((d) => [d.code, d]));
      const frozen = await this.reports.list(unit.range, [...visible.values()].map((d) => this.views.resolve(d, { period: request.period }).reportPeriod!.key));
      const names = new Map((await this.orgUnits.findByCodes([...new Set(frozen.map((r) => r.orgUnitCode))])).map((u) => [u.code, u.name]));
      jobs = frozen
        .filter((r) => r.status !== 'returned' && visible.has(r.formCode) && this.policy.reaches(viewer, r.orgUnitCode))
        .map((r) => ({ def: visible.get(r.formCode)!, orgUnit: r.orgUnitCode, sheetName: `${r.formCode}${names.get(r.orgUnitCode) ?? r.orgUnitCode}` }));
      if (jobs.length === 0) throw new NotFoundError(`${unit.name}在报送期 ${request.period} 还没有已报送的报表`);
      name = '报表';
    } else if (request.code === ALL_FORMS) {
      if (unit.level !== 'community' && unit.level !== 'grid') throw badRequest('code', '"全部表单"只能按社区或网格导出；街道按报送期（period）一次导出全部报表');
      jobs = this.views.listFor(viewer).map((def) => ({ def, orgUnit: unit.code, sheetName: `${def.code}${def.name}` }));
      name = '全部台账';
    } else {
      const def = this.views.templateFor(viewer, request.code);
      name = def.name;
      if (def.rows.kind === 'rows' && (unit.level === 'street' || unit.level === 'district') && !csv) {
        const communities = await this.orgUnits.unitsUnder(unit.range, 'community');
        const summaries = this.views.listFor(viewer).filter((t) => t.rows.kind === 'summary');
        jobs = [
          ...communities.map((c) => ({ def, orgUnit: c.code, sheetName: c.name })),
          ...summaries.map((s) => ({ def: s, orgUnit: unit.code, sheetName: s.name })),
        ];
      } else {
        jobs = [{ def, orgUnit: unit.code, sheetName: unit.name }];
      }
    }
    if (csv && jobs.length > 1) throw badRequest('format', 'CSV 只能导出一张表');
    for (const job of jobs) if (!job.def.layout && !csv) throw new NotFoundError(`表单 ${job.def.code} 没有部门表样，无法按表样导出`);
    // Counting a big form's rows takes a query of its own: done for those who show it (the mutation, the CLI's bar).
    const firsts = await Promise.all(jobs.map((job) => this.views.describe(viewer, { code: job.def.code, orgUnit: job.orgUnit, referenceDate: request.date, period: request.period }, options.count ?? true)));
    const first = firsts[0];
    const period = request.period ? request.period.toUpperCase() : jobs.length === 1 && jobs[0].def.period === 'month' ? first.referenceDate.slice(0, 7) : first.referenceDate;
    const rows = firsts.reduce((sum, f) => sum + f.totalCount, 0);
    const reports = firsts.map((f) => f.report);
    return { request, jobs, titles: firsts.map((f) => f.title), subtitles: firsts.map((f) => f.subtitles), reports, rows, referenceDate: first.referenceDate, fileName: `${unit.name}${name}-${period}.${csv ? 'csv' : 'xlsx'}` };
  }

  /**
   * Writes a planned export to `out`, streaming rows from a cursor; returns the number of rows written. Audited with
   * the filter, the row count, the reason and the SHA-256 and size of the bytes as they went out (`out` is not ended).
   */
  async write(viewer: Viewer, plan: ExportPlan, out: Writable, onRows?: (n: number) => void): Promise<number> {
    const { request } = plan;
    const hashing = new HashingStream(out);
    const rows = await this.writeSheets(viewer, plan, hashing, onRows);
    // The xlsx writer ends its stream itself; CSV does not.
    if (!hashing.writableEnded) hashing.end();
    await finished(hashing);
    const filter = { code: request.code, orgUnit: request.orgUnit, date: request.date ?? null, period: request.period ?? null, format: request.format ?? 'xlsx', file: plan.fileName, fullValues: viewer.fullValues, reason: exportReason(request) };
    await this.audit.recordAccess(viewer, 'export', { entity: request.code, filter, facts: { sha256: hashing.sha256(), bytes: hashing.bytes }, rowCount: rows });
    return rows;
  }

  private async writeSheets(viewer: Viewer, plan: ExportPlan, out: Writable, onRows?: (n: number) => void): Promise<number> {
    const { request, jobs, titles, subtitles, reports } = plan;
    if (request.format === 'csv') return writeCsv(out, jobs[0].def.columns.map((c) => c.header), this.rows(viewer, jobs[0], request, onRows));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    let total = 0;
    for (const [i, job] of jobs.entries()) {
      const blank = new ExcelJS.Workbook();
      await blank.xlsx.readFile(path.resolve(this.config.templatesDir, job.def.layout!.file));
      const [unit] = await this.orgUnits.lineage(job.orgUnit);
      // 填报日期: the day it is filed; for a submitted report, the day it was submitted, signed by filler and reviewer.
      const report = reports[i];
      const signed = (who: string | null, at: Date | null) => (who ? `${who}（${at ? todayIso(at) : ''}）` : null);
      const header = {
        title: titles[i], subtitles: subtitles[i], unit: unit.name, date: report?.submittedAt ? todayIso(report.submittedAt) : todayIso(),
        signatures: report ? { filledBy: signed(report.submittedBy, report.submittedAt), reviewedBy: report.status === 'approved' ? signed(report.reviewedBy, report.reviewedAt) : null } : undefined,
      };
      total += await writeFormSheet(workbook, blank.worksheets[0], job.def.layout!, job.sheetName, header, job.def.columns, this.rows(viewer, job, request, onRows, total));
    }
    await workbook.commit();
    return total;
  }

  /** A form's rows for one org unit, streamed from a database cursor, then its 合计 row. */
  private async *rows(viewer: Viewer, job: SheetJob, request: ExportRequest, onRows?: (n: number) => void, before = 0) {
    let n = before;
    for await (const row of this.views.streamRows(viewer, { code: job.def.code, orgUnit: job.orgUnit, referenceDate: request.date, period: request.period })) {
      yield row;
      if (++n % 500 === 0) onRows?.(n);
    }
    onRows?.(n);
  }
}

function badRequest(field: string, message: string) {
  return new ValidationFailedError([{ path: [field], code: 'UNSUPPORTED_EXPORT', message }]);
}
