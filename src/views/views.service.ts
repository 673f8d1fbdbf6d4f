import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { parseIdNumber } from '../identity/index.js';
import { parseInstant, resolvePeriod } from './view-args.js';
import { decodeViewCursor, encodeViewCursor, invalidCursor } from './view-cursor.js';
import { AccessPolicy, type GrantedUnit } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import { pageSize } from '../access/page-size.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import type { TemplateSummary } from '../templates/template.loader.js';
import { TEMPLATES } from '../templates/templates.module.js';
import { titlePattern } from '../templates/blank-form.reader.js';
import type { RowSet, SummaryRows, TemplateColumn, TemplateDef, ValueType } from '../templates/template.types.js';
import { SummaryView } from './summary-view.js';
import { SummaryCountsRepository } from './summary-counts.repository.js';
import { ConfigService } from '../config/config.service.js';
import { PreparedReads } from '../database/prepared-reads.js';
import { routedDatabase } from '../database/read-routing.js';
import { formattedBatches, formattedRows } from './formatted-rows.js';
import { formatRow, TotalsRow } from './row-formatter.js';
import { dialectFor, type SqlDialect } from './sql-dialect.js';
import { AuditService } from '../audit/audit.service.js';
import { fillCopies, type ViewSql, ViewSqlBuilder } from './view-sql.js';
import { rowCursor } from '../database/row-cursor.js';
import { parsePeriod, type Period } from '../reporting/period.js';
import { ReportRepository, type ReportRecord } from '../reporting/report.repository.js';
import { decodeSnapshot, type ReportSnapshot } from '../reporting/report-snapshot.js';

export { MAX_PAGE_SIZE } from '../access/page-size.js';

export interface FormViewArgs {
  code: string;
  orgUnit: string;
  referenceDate?: string | null;
  first?: number | null;
  after?: string | null;
  /** ISO 8601 instant: only rows whose facts changed since then, plus the keys of rows that left the view. */
  updatedSince?: string | null;
  /** A reporting period (2026-11, 2026-Q4, 2026): its submitted or approved report's frozen rows, else the live view at its last day. */
  period?: string | null;
}

/** The report whose frozen rows a view answered with. */
export type FrozenReport = Pick<ReportRecord, 'id' | 'status' | 'period' | 'submittedBy' | 'submittedAt' | 'reviewedBy' | 'reviewedAt' | 'sha256' | 'rowCount'>;

export interface FormView {
  code: string;
  title: string;
  referenceDate: string;
  period: { from: string; to: string };
  columns: { key: string; header: string[]; type: ValueType }[];
  /** Null when not asked for (ViewSelection.totalCount false): a COUNT over the whole view is not free. */
  totalCount: number | null;
  rows: unknown[][];
  /** A stable key per row (the record's id), for delta pulls. */
  keys: string[];
  /** With updatedSince: keys of rows that are no longer in the view. */
  removedKeys: string[] | null;
  /** When this answer was taken: the next delta pull's updatedSince. */
  serverTime: string;
  /** The form's 合计 row over every row of the view (not only this page), or null. */
  totals: unknown[] | null;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** With `period`: the submitted or approved report these rows are frozen from; null for the live ledger. */
  report: FrozenReport | null;
}


/** What a client asked for: the rest is not computed. Internal callers leave it out and get everything. */
export interface ViewSelection {
  totalCount?: boolean;
  totals?: boolean;
  /** The title with its blanks filled (one more lookup of the unit's lineage, each page of a pull). */
  title?: boolean;
  /** Template columns to read and format (a typed query's `rows { … }`); every column when absent. */
  columns?: ReadonlySet<string>;
}

/** Department forms as views of the ledger: rows filtered, sorted and paged in the database. */
@Injectable()
export class ViewsService {
  private readonly templates: Map<string, TemplateDef>;
  private readonly builders = new Map<string, ViewSqlBuilder>();
  private readonly summaries = new Map<string, SummaryView>();
  private readonly dialect: SqlDialect;
  /** The last few frozen reports read, decoded (immutable content, keyed by report id and SHA-256). */
  private readonly decoded = new Map<string, ReportSnapshot>();
  /** Column selections of typed queries, one array each (see selectedColumns). */
  private readonly selections = new Map<string, TemplateColumn[]>();

  constructor(
    @Inject(TEMPLATES) templates: TemplateSummary[],
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly dataSource: DataSource,
    private readonly orgUnits: OrgUnitRepository,
    private readonly policy: AccessPolicy,
    private readonly audit: AuditService,
    private readonly config: ConfigService,
    private readonly reports: ReportRepository,
    summaryCounts: SummaryCountsRepository,
    private readonly prepared: PreparedReads,
  ) {
    this.templates = new Map(templates.map((t) => [t.code, t.def]));
    const rowSets = new Map([...this.templates].filter(([, d]) => d.rows.kind === 'rows').map(([c, d]) => [c, d.rows as RowSet]));
    const dialect = (this.dialect = dialectFor(dataSource.options.type === 'postgres'));
    for (const [code, def] of this.templates) {
      if (def.rows.kind === 'rows') this.builders.set(code, new ViewSqlBuilder(def as TemplateDef & { rows: RowSet }, dictionary, dialect, rowSets));
      else this.summaries.set(code, new SummaryView(def as TemplateDef & { rows: SummaryRows }, dictionary, dialect, rowSets, this.templates, summaryCounts));
    }
  }

  list(): TemplateDef[] {
    return [...this.templates.values()];
  }

  template(code: string): TemplateDef {
    const def = this.templates.get(code);
    if (!def) throw new NotFoundError(`没有代码为 "${code}" 的表单`);
    return def;
  }

  /** The SQL builder of a row form (work lists and visit schedules compose their queries from its parts). */
  builder(code: string): ViewSqlBuilder | undefined {
    return this.builders.get(code);
  }

  /** The templates a viewer may see (a department: those naming it). */
  listFor(viewer: Viewer | undefined): TemplateDef[] {
    return this.policy.templates(viewer, this.list());
  }

  /** A template as the viewer may see it: NOT_FOUND for an unknown one and for another department's alike. */
  templateFor(viewer: Viewer | undefined, code: string): TemplateDef {
    return this.policy.template(viewer, this.templates.get(code), code);
  }

  /**
   * The department forms (row forms the viewer may see) a resident appears in today: after a save, the page shows
   * which forms the resident joined and which they left.
   */
  async formsOfResident(viewer: Viewer, rawIdNumber: string): Promise<TemplateDef[]> {
    const parsed = parseIdNumber(rawIdNumber);
    const [resident] = parsed.ok ? await this.dataSource.query(`SELECT id, grid_code FROM residents WHERE id_number = ${this.dialect.param(1)}`, [parsed.value.idNumber]) : [];
    if (!resident) throw new NotFoundError('未找到该公民身份号码的居民');
    this.policy.requireRecord(viewer, resident.grid_code, '未找到该公民身份号码的居民', { entity: 'resident', recordId: Number(resident.id) });
    const range = this.policy.gridRange(viewer, resident.grid_code);
    const forms = this.listFor(viewer).filter((d) => d.rows.kind === 'rows');
    const hits = await Promise.all(
      forms.map(async (def) => {
        const { referenceDate, period } = resolvePeriod(def, null);
        const q = this.builders.get(def.code)!.containsResident({ range, referenceDate, period }, Number(resident.id));
        return (await this.dataSource.query(q.sql, q.params)).length > 0;
      }),
    );
    return forms.filter((_, i) => hits[i]);
  }

  /**
   * The query for a row form's rows (ids: row, resident, household) under a granted unit on a day, visits and the like
   * taken over `period`: the burden report runs it to see whose facts fill which form. Null for a summary form.
   */
  membersQuery(def: TemplateDef, range: GrantedUnit['range'], referenceDate: string, period: { from: string; to: string }): { sql: string; params: unknown[] } | null {
    return this.builders.get(def.code)?.members({ range, referenceDate, period }) ?? null;
  }

  /** A form's title, reference date and row count for an org unit, without reading its rows (an export's plan). */
  async describe(viewer: Viewer | undefined, args: Pick<FormViewArgs, 'code' | 'orgUnit' | 'referenceDate' | 'period'>, count = true): Promise<{ title: string; subtitles: string[]; referenceDate: string; totalCount: number; report: FrozenReport | null }> {
    const def = this.templateFor(viewer, args.code);
    const unit = await this.policy.unit(viewer!, args.orgUnit);
    const { referenceDate, period, reportPeriod } = this.resolve(def, args);
    const frozen = reportPeriod ? await this.frozen(def.code, unit.code, reportPeriod) : null;
    // Subtitles (（____年____月）) are filled like the title, for the day and period the rows are of.
    const subtitles = (day: string, of: { from: string }) => Promise.all((def.layout?.subtitles ?? []).map((s) => this.title(def, unit.code, day, of, titlePattern(s.text))));
    if (frozen) {
      const { title, referenceDate: day, period: of, rows, totals } = frozen.snapshot;
      return { title, subtitles: await subtitles(day, of), referenceDate: day, totalCount: rows.length + (totals ? 1 : 0), report: frozen.report };
    }
    if (def.rows.kind === 'summary') {
      const view = await this.formView(viewer, args, { audit: false });
      return { title: view.title, subtitles: await subtitles(view.referenceDate, view.period), referenceDate: view.referenceDate, totalCount: view.totalCount ?? view.rows.length, report: null };
    }
    const sql = this.builders.get(def.code)!.build({ range: unit.range, referenceDate, period });
    const [[{ n }], title, sub] = await Promise.all([count ? this.dataSource.query(sql.count, sql.countParams) : [{ n: 0 }], this.title(def, unit.code, referenceDate, period), subtitles(referenceDate, period)]);
    return { title, subtitles: sub, referenceDate, totalCount: Number(n) + (def.rows.totals ? 1 : 0), report: null };
  }

  /**
   * One page of a form, after the client's cursor (keyset: see view-cursor.ts). `audit: false` for internal looks
   * (an export's plan): the export itself is audited instead. `select`: what the client asked for.
   */
  async formView(viewer: Viewer | undefined, args: FormViewArgs, options: { audit?: boolean; select?: ViewSelection; largestPage?: number } = {}): Promise<FormView> {
    const serverTime = new Date();
    const first = pageSize(args.first, 100, ['first'], options.largestPage);
    const def = this.templateFor(viewer, args.code);
    const since = parseInstant(args.updatedSince);
    const unit = await this.policy.unit(viewer!, args.orgUnit);
    const { referenceDate, period, reportPeriod } = this.resolve(def, args);
    const select = options.select ?? {};
    const columns = this.selectedColumns(def, select.columns);
    const fullGrant = this.policy.grant(viewer!, def, unit.code);
    const grant = { ...fullGrant, columns: fullGrant.columns.filter((c) => columns.includes(c)), revealed: fullGrant.revealed.filter((k) => columns.some((c) => c.key === k)) };
    const at = grant.columns.map((c) => def.columns.indexOf(c));
    const granted = (values: unknown[]) => grant.columns.map((c, k) => grant.cell(c, values[at[k]]));
    // A page's rows, formatted for `columns` (the granted ones are among them): masked in their own array when the
    // viewer may see every selected column (a pull formats thousands of rows a second; each array is garbage after).
    const place = grant.columns.map((c) => columns.indexOf(c));
    const inPlace = place.length === columns.length;
    const shown = (values: unknown[]) => {
      if (!inPlace) return place.map((p, k) => grant.cell(grant.columns[k], values[p]));
      if (grant.masks) for (let k = 0; k < values.length; k++) values[k] = grant.cell(grant.columns[k], values[k]);
      return values;
    };
    const builder = this.builders.get(def.code);
    const frozen = reportPeriod ? await this.frozen(def.code, unit.code, reportPeriod) : null;
    const cursor = decodeViewCursor(args.after, def.code, builder?.orderKeys(referenceDate) ?? []);
    if (frozen) {
      // A frozen report never changes: its rows' positions are stable, so the cursor may hold one, bound to the report.
      const snapshotId = `${frozen.report.id}:${frozen.report.sha256!.slice(0, 16)}`;
      if (cursor && (cursor.kind !== 'frozen' || cursor.report !== snapshotId)) throw invalidCursor('报表在翻页期间已退回或重新报送');
      const offset = cursor?.n ?? 0;
      const page = frozen.snapshot.rows.slice(offset, offset + first);
      if (grant.revealed.length && page.length && options.audit !== false) {
        const filter = { code: def.code, orgUnit: unit.code, period: reportPeriod!.key, report: frozen.report.id, after: args.after ?? null, columns: grant.revealed };
        await this.audit.recordAccess(viewer!, 'reveal', { entity: def.code, filter, rowCount: page.length });
      }
      const end = offset + page.length;
      return {
        code: def.code, title: frozen.snapshot.title, referenceDate: frozen.snapshot.referenceDate, period: frozen.snapshot.period,
        columns: grant.columns.map(describeColumn), totalCount: frozen.snapshot.rows.length, rows: page.map(granted),
        keys: frozen.snapshot.keys.slice(offset, end), removedKeys: null, serverTime: serverTime.toISOString(),
        totals: frozen.snapshot.totals && granted(frozen.snapshot.totals),
        pageInfo: { hasNextPage: end < frozen.snapshot.rows.length, endCursor: page.length ? encodeViewCursor({ kind: 'frozen', form: def.code, n: end, report: snapshotId }) : null },
        report: frozen.report,
      };
    }
    if (cursor && cursor.kind !== 'keys') throw invalidCursor('该游标属于已报送的报表，而该期报表现在不是已报送状态');
    const range = unit.range;
    // Runs alongside the data queries; not at all for a client that did not ask for it (a pull's pages).
    const titled = select.title === false ? Promise.resolve('') : this.title(def, unit.code, referenceDate, period);
    const summary = this.summaries.get(def.code);
    if (summary) {
      const title = await titled;
      // Visits counted by a summary are those of the reference date's month.
      const month = resolvePeriod({ ...def, period: 'month' }, referenceDate.slice(0, 7)).period;
      const all = await summary.rows(this.dataSource, await this.orgUnits.unitsUnder(range, summary.groupBy), { range, referenceDate, period: month });
      const rows = all.map(granted);
      const keys = all.map((_, i) => (i < all.length - 1 ? `community:${i + 1}` : 'total'));
      const page = { hasNextPage: false, endCursor: null };
      return { code: def.code, title, referenceDate, period: month, columns: grant.columns.map(describeColumn), totalCount: rows.length, rows, keys, removedKeys: null, serverTime: serverTime.toISOString(), totals: null, pageInfo: page, report: null };
    }
    const changedSince = since ? this.dialect.instant(since) : undefined;
    const only = columns.length === def.columns.length ? undefined : new Set(columns.map((c) => c.key));
    const sql = builder!.build({ range, referenceDate, period, changedSince }, only);
    const left = changedSince === undefined ? null : builder!.leftView({ range, referenceDate, period, changedSince });
    // The 合计 row sums every column, whatever the selection: the page's statement serves when it reads them all.
    const totals = def.rows.kind === 'rows' && def.rows.totals && select.totals !== false ? await this.totals(def, def.rows.totals, only ? builder!.build({ range, referenceDate, period, changedSince }) : sql, referenceDate) : null;
    const page = sql.page(first + 1, cursor?.keys ?? null);
    const [raw, count, removed] = await Promise.all([
      this.prepared.query(page.sql, page.params),
      select.totalCount === false ? Promise.resolve(null) : this.dataSource.query(sql.count, sql.countParams),
      left && !cursor ? this.dataSource.query(left.sql, left.params) : Promise.resolve(left ? [] : null),
    ]);
    const rowsRead = raw.slice(0, first);
    fillCopies(rowsRead, page.copies);
    await this.addLatestVisits(builder!, rowsRead, only);
    const title = await titled;
    const before = cursor?.n ?? 0;
    const rows = rowsRead.map((r, i) => shown(formatRow(columns, this.dictionary, r, { rowNumber: before + i + 1, referenceDate })));
    if (grant.revealed.length && rows.length && options.audit !== false) {
      const filter = { code: def.code, orgUnit: unit.code, referenceDate, after: args.after ?? null, updatedSince: args.updatedSince ?? null, columns: grant.revealed };
      await this.audit.recordAccess(viewer!, 'reveal', { entity: def.code, filter, rowCount: rows.length });
    }
    const last = rowsRead[rowsRead.length - 1];
    const endCursor = last ? encodeViewCursor({ kind: 'keys', form: def.code, n: before + rowsRead.length, keys: page.keyAliases.map((alias) => keyValue(last[alias])) }) : null;
    return {
      code: def.code,
      title,
      referenceDate,
      period,
      columns: grant.columns.map(describeColumn),
      totalCount: count ? Number((count as { n: unknown }[])[0].n) : null,
      rows,
      keys: rowsRead.map((r) => String(r.row_id)),
      removedKeys: removed ? (removed as { row_id: number }[]).map((r) => String(r.row_id)) : null,
      serverTime: serverTime.toISOString(),
      totals: totals && granted(totals),
      pageInfo: { hasNextPage: raw.length > first, endCursor },
      report: null,
    };
  }

  /** The template's columns a selection names, in the template's order (the same array for the same selection). */
  private selectedColumns(def: TemplateDef, keys: ReadonlySet<string> | undefined): TemplateColumn[] {
    if (!keys) return def.columns;
    const id = `${def.code}:${def.columns.filter((c) => keys.has(c.key)).map((c) => c.key).join(',')}`;
    let columns = this.selections.get(id);
    if (!columns) {
      columns = def.columns.filter((c) => keys.has(c.key));
      // formatRow compiles per columns array: keep one array per selection (a client asks the same thing each page).
      if (this.selections.size > 256) this.selections.clear();
      this.selections.set(id, columns);
    }
    return columns;
  }

  /**
   * The view's reference date and period: from `period` (a reporting period of the form's frequency: its last day),
   * else from `referenceDate` as before.
   */
  resolve(def: TemplateDef, args: Pick<FormViewArgs, 'referenceDate' | 'period'>): { referenceDate: string; period: { from: string; to: string }; reportPeriod: Period | null } {
    if (!args.period) return { ...resolvePeriod(def, args.referenceDate), reportPeriod: null };
    const reportPeriod = parsePeriod(def.reporting.frequency, args.period, def.reporting.dueDay);
    return { referenceDate: reportPeriod.to, period: { from: reportPeriod.from, to: reportPeriod.to }, reportPeriod };
  }

  /** The submitted or approved report of a form, org unit and period, with its frozen rows; null if there is none. */
  async frozen(code: string, orgUnitCode: string, period: Period): Promise<{ report: ReportRecord; snapshot: ReportSnapshot } | null> {
    const report = await this.reports.findByKey({ formCode: code, orgUnitCode, period: period.key });
    if (!report || report.status === 'returned' || !report.sha256) return null;
    // A department pages through a frozen report: decode it once. Keyed by its hash, so a resubmission is never stale.
    const key = `${report.id}:${report.sha256}`;
    let snapshot = this.decoded.get(key);
    if (!snapshot) {
      const bytes = await this.reports.snapshot(report.id);
      if (!bytes) return null;
      snapshot = decodeSnapshot(bytes);
      this.decoded.set(key, snapshot);
      if (this.decoded.size > 8) this.decoded.delete(this.decoded.keys().next().value!);
    }
    return { report, snapshot };
  }

  /**
   * A form's rows for an org unit as they stand in the ledger now, every column with full values and a key per row:
   * what a submitted report freezes. No access check and no audit: the reporting service decides who may submit.
   */
  async capture(def: TemplateDef, unit: GrantedUnit, period: Period): Promise<ReportSnapshot> {
    const referenceDate = period.to;
    const dates = { from: period.from, to: period.to };
    const title = await this.title(def, unit.code, referenceDate, dates);
    const columns = def.columns.map((c) => c.key);
    const summary = this.summaries.get(def.code);
    if (summary) {
      const month = resolvePeriod({ ...def, period: 'month' }, referenceDate.slice(0, 7)).period;
      const rows = await summary.rows(this.dataSource, await this.orgUnits.unitsUnder(unit.range, summary.groupBy), { range: unit.range, referenceDate, period: month });
      return { title, referenceDate, period: month, columns, rows, keys: rows.map((_, i) => (i < rows.length - 1 ? `community:${i + 1}` : 'total')), totals: null };
    }
    const sql = this.builders.get(def.code)!.build({ range: unit.range, referenceDate, period: dates });
    const rows: unknown[][] = [];
    const keys: string[] = [];
    const totals = def.rows.kind === 'rows' && def.rows.totals ? new TotalsRow(def.columns, def.rows.totals) : null;
    for await (const batch of rowCursor(this.config.database, sql.stream, sql.params)) {
      for (const r of batch) {
        const values = formatRow(def.columns, this.dictionary, r, { rowNumber: rows.length + 1, referenceDate });
        totals?.add(values);
        rows.push(values);
        keys.push(String(r.row_id));
      }
    }
    return { title, referenceDate, period: dates, columns, rows, keys, totals: totals?.row() ?? null };
  }

  /** The 合计 row: counts of filled cells and sums, over every row of the view, read through a cursor. */
  private async totals(def: TemplateDef, spec: NonNullable<RowSet['totals']>, sql: ViewSql, referenceDate: string): Promise<unknown[]> {
    const totals = new TotalsRow(def.columns, spec);
    for await (const values of this.formatted(def, sql, referenceDate)) totals.add(values);
    return totals.row();
  }

  /** Every row of a view, formatted, from a database cursor; in a worker thread when `worker` (exports). */
  private formatted(def: TemplateDef, sql: ViewSql, referenceDate: string, worker = false): AsyncGenerator<unknown[]> {
    const request = { database: routedDatabase(this.config.database), sql: sql.stream, params: sql.params, columns: def.columns, dictionary: this.dictionary, referenceDate };
    return worker ? formattedRows(request) : flatten(formattedBatches(request));
  }

  /**
   * All rows of a form for an org unit, streamed (exports): a cursor, not pages, so memory stays flat whatever
   * the row count. Row forms end with their 合计 row if they have one; summary forms are small and come whole.
   */
  async *streamRows(viewer: Viewer, args: Omit<FormViewArgs, 'first' | 'after' | 'updatedSince'>): AsyncGenerator<unknown[]> {
    const def = this.templateFor(viewer, args.code);
    const unit = await this.policy.unit(viewer, args.orgUnit);
    const { referenceDate, period, reportPeriod } = this.resolve(def, args);
    const grant = this.policy.grant(viewer, def, unit.code);
    const frozen = reportPeriod ? await this.frozen(def.code, unit.code, reportPeriod) : null;
    if (frozen) {
      const granted = (values: unknown[]) => grant.columns.map((c) => grant.cell(c, values[def.columns.indexOf(c)]));
      for (const values of frozen.snapshot.rows) yield granted(values);
      if (frozen.snapshot.totals) yield granted(frozen.snapshot.totals);
      return;
    }
    if (def.rows.kind === 'summary') {
      yield* (await this.formView(viewer, args)).rows;
      return;
    }
    const sql = this.builders.get(def.code)!.build({ range: unit.range, referenceDate, period });
    const totals = def.rows.totals ? new TotalsRow(def.columns, def.rows.totals) : null;
    // A million rows pass here: the columns' positions are looked up once, and full values need no pass at all.
    const at = grant.columns.map((c) => def.columns.indexOf(c));
    const granted = !grant.masks && at.every((i, k) => i === k) ? (values: unknown[]) => values : (values: unknown[]) => grant.columns.map((c, k) => grant.cell(c, values[at[k]]));
    for await (const values of this.formatted(def, sql, referenceDate, true)) {
      totals?.add(values);
      yield granted(values);
    }
    if (totals) yield granted(totals.row());
  }

  private async addLatestVisits(builder: ViewSqlBuilder, rows: Record<string, unknown>[], only?: ReadonlySet<string>): Promise<void> {
    for (let start = 0; start < rows.length; start += 1000) {
      const chunk = rows.slice(start, start + 1000);
      const query = builder.latestVisits(chunk.map((r) => Number(r.row_id)), only);
      if (!query) return;
      const found = new Map((await this.dataSource.query(query.sql, query.params)).map((v: Record<string, unknown>) => [Number(v.resident_id), v]));
      for (const row of chunk) query.columns.forEach((c, i) => (row[`v_${c.key}`] = (found.get(Number(row.row_id)) as Record<string, unknown> | undefined)?.[`m${i}`] ?? null));
    }
  }

  /** The form's title (or another pattern of its blank form: a subtitle) with its blanks filled from the org unit and the period. */
  async title(def: TemplateDef, orgUnitCode: string, referenceDate: string, period: { from: string }, pattern = def.title): Promise<string> {
    const lineage = await this.orgUnits.lineage(orgUnitCode);
    const name = (level: string) => lineage.find((u) => u.level === level)?.name ?? '';
    const [year, month, day] = (def.period === 'month' ? period.from : referenceDate).split('-');
    return pattern
      .replace('{street}', name('street'))
      .replace('{community}', name('community'))
      .replace('{year}', year)
      .replace('{month}', String(Number(month)))
      .replace('{quarter}', String(Math.ceil(Number(month) / 3)))
      .replace('{day}', String(Number(day)));
  }
}

async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

/** A key value as the cursor keeps it: dates and big numbers as the database gave them, Date objects as ISO text. */
function keyValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return String(v);
  return v === undefined ? null : v;
}

function describeColumn(c: TemplateColumn) {
  return { key: c.key, header: c.header, type: c.type };
}

export { resolvePeriod } from './view-args.js';
