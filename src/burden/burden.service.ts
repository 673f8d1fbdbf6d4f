import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, type GrantedUnit } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { ValidationFailedError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { type OrgLevel, type OrgUnit, OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { type Frequency, parsePeriod, type Period } from '../reporting/period.js';
import type { RowSet } from '../templates/template.types.js';
import { ViewsService } from '../views/views.service.js';
import { type FormDraws, fieldUse, formDraws, overlap, sharedColumns } from './burden-columns.js';
import { BurdenRepository, type MemberRow, type TypedLine } from './burden.repository.js';
import type { BurdenFieldType, BurdenFormType, BurdenReportType } from './burden.types.js';
import { burdenWorkbook } from './burden-workbook.js';

export type BurdenReport = BurdenReportType;

/** One typed fact: a record's field given a value in the period (typed again: still one fact). */
interface Fact {
  entity: TypedLine['entity'];
  recordId: number;
  field: string;
  visitResident: number | null;
}

const LEVELS: OrgLevel[] = ['district', 'street', 'community', 'grid'];

/** A period as a client writes it: a month (2026-11), a quarter (2026-Q4) or a year (2026). */
export function burdenPeriod(text: string | null | undefined): Period {
  const t = (text ?? '').trim().toUpperCase();
  const frequency: Frequency = /^\d{4}-Q\d$/.test(t) ? 'quarter' : /^\d{4}$/.test(t) ? 'year' : 'month';
  try {
    return parsePeriod(frequency, t, 10);
  } catch {
    throw new ValidationFailedError([{ path: ['period'], code: 'INVALID_PERIOD', message: `统计期"${text ?? ''}"无效：应为月份（2026-11）、季度（2026-Q4）或年度（2026）` }]);
  }
}

/** The period's instants in the server's time zone (as todayIso): its first day's midnight to the next day's after its last. */
function window(period: Period): [Date, Date] {
  const [fy, fm, fd] = period.from.split('-').map(Number);
  const [ty, tm, td] = period.to.split('-').map(Number);
  return [new Date(fy, fm - 1, fd), new Date(ty, tm - 1, td + 1)];
}

/**
 * 减负 in figures: the facts people typed in a period (from the audit log), the department cells those facts filled
 * (each form's rows at the period's end, read with the form's own SQL), the forms produced with no typing of their own,
 * what each fact feeds, and which departments ask for the same facts.
 */
@Injectable()
export class BurdenService {
  constructor(
    private readonly views: ViewsService,
    private readonly policy: AccessPolicy,
    private readonly orgUnits: OrgUnitRepository,
    private readonly repository: BurdenRepository,
    private readonly audit: AuditService,
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
  ) {}

  async report(viewer: Viewer, orgUnit: string, periodText: string): Promise<BurdenReport> {
    const unit = await this.policy.unit(viewer, orgUnit ?? '');
    const period = burdenPeriod(periodText);
    // A department sees its own forms only (the AccessPolicy decides which): every figure is about those forms.
    const visible = this.views.listFor(viewer);
    const seesAll = visible.length === this.views.list().length;
    const forms = visible.map((d) => formDraws(this.dictionary, d));
    const use = fieldUse(forms);
    const [start, end] = window(period);
    const lines = await this.repository.typedLines(unit.range, start, end);
    const { facts, changes } = this.facts(lines, (field) => seesAll || use.has(field));
    const dates = { from: period.from, to: period.to };
    const members = await Promise.all(forms.map((f) => {
      const query = this.views.membersQuery(f.def, unit.range, period.to, dates);
      return query ? this.repository.members(query) : Promise.resolve(null);
    }));
    const produced = await this.produced(unit, forms, members);
    const shared = sharedColumns(forms);
    const cellsByField = new Map<string, number>();
    const byForm: BurdenFormType[] = forms.map((f, i) => {
      const filled = members[i] ? cellsFilled(f, members[i]!, facts, cellsByField) : 0;
      return {
        code: f.def.code, name: f.def.name, department: f.def.department, columns: f.def.columns.length, sharedColumns: shared.get(f.def.code) ?? 0,
        copies: produced[i].copies, rows: produced[i].rows, cells: produced[i].rows * f.def.columns.length, cellsFilled: filled,
      };
    });
    const factsByField = new Map<string, number>();
    for (const fact of facts) factsByField.set(fact.field, (factsByField.get(fact.field) ?? 0) + 1);
    const fields = this.dictionary.fields.filter((d) => use.has(d.key) || factsByField.has(d.key));
    const byField: BurdenFieldType[] = fields.map((d) => ({
      field: d.key, label: d.label, forms: use.get(d.key)?.forms.length ?? 0, columns: use.get(d.key)?.columns ?? 0, formCodes: use.get(d.key)?.forms ?? [],
      factsTyped: factsByField.get(d.key) ?? 0, cellsFilled: cellsByField.get(d.key) ?? 0,
    }));
    const cells = byForm.reduce((n, f) => n + f.cellsFilled, 0);
    const label = (key: string) => this.dictionary.byKey.get(key)?.label ?? key;
    return {
      orgUnitCode: unit.code, orgUnitName: unit.name, period: period.key, periodLabel: period.label, from: period.from, to: period.to,
      factsTyped: facts.length, changesTyped: changes, cellsFilled: cells, cellsPerFact: facts.length ? Math.round((cells / facts.length) * 100) / 100 : null,
      formsWithoutTyping: byForm.reduce((n, f) => n + f.copies, 0), cellsProduced: byForm.reduce((n, f) => n + f.cells, 0),
      byForm, byField,
      overlap: overlap(forms).map((o) => ({ ...o, sharedFields: o.fields.length, fields: o.fields.map(label) })),
    };
  }

  /** The report as a workbook, audited as an export with the SHA-256 and size of the bytes handed out. */
  async workbook(viewer: Viewer, orgUnit: string, periodText: string): Promise<{ fileName: string; bytes: Buffer }> {
    const report = await this.report(viewer, orgUnit, periodText);
    const fileName = `${report.orgUnitName}减负报告-${report.period}.xlsx`;
    const bytes = await burdenWorkbook(report);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.audit.recordAccess(viewer, 'export', {
      entity: 'burden', filter: { code: 'burden', orgUnit: report.orgUnitCode, period: report.period, format: 'xlsx', file: fileName },
      facts: { sha256, bytes: bytes.length }, rowCount: report.byForm.length,
    });
    return { fileName, bytes };
  }

  /**
   * Typed facts, one per (record, field) given a value, from the audit lines' changes: dictionary fields of the line's
   * record (a resident's line also carries their household's facts); cleared values fill nothing and are left out.
   */
  private facts(lines: TypedLine[], counts: (field: string) => boolean): { facts: Fact[]; changes: number } {
    const facts = new Map<string, Fact>();
    let changes = 0;
    for (const line of lines) {
      for (const c of line.changes) {
        const def = this.dictionary.byKey.get(c.field);
        if (!def || !(def.entity === line.entity || (line.entity === 'resident' && def.entity === 'household'))) continue;
        if (c.after === null || c.after === undefined || c.after === '' || !counts(c.field)) continue;
        changes++;
        facts.set(`${line.entity}:${line.recordId}:${c.field}`, { entity: line.entity, recordId: line.recordId, field: c.field, visitResident: line.visitResident });
      }
    }
    return { facts: [...facts.values()], changes };
  }

  /**
   * How many copies of each form the unit produces in the period and their rows: a row form once per filling unit
   * under the unit (once for a unit below that level: its share); a summary form once per filling unit, one row per
   * group under it plus the 合计 row, none for a unit below its filling level.
   */
  private async produced(unit: GrantedUnit, forms: FormDraws[], members: (MemberRow[] | null)[]): Promise<{ copies: number; rows: number }[]> {
    const under = new Map<OrgLevel, OrgUnit[]>();
    for (const level of ['street', 'community', 'grid'] as const) under.set(level, await this.orgUnits.unitsUnder(unit.range, level));
    const byCode = new Map([...under.values()].flat().map((u) => [u.code, u]));
    const ancestor = (u: OrgUnit, level: OrgLevel): string | null => {
      for (let x: OrgUnit | undefined = u; x; x = x.parentCode ? byCode.get(x.parentCode) : undefined) if (x.level === level) return x.code;
      return null;
    };
    const below = (level: OrgLevel) => LEVELS.indexOf(unit.level) > LEVELS.indexOf(level);
    return forms.map((f, i) => {
      const filledBy = f.def.reporting.filledBy;
      const fillers = under.get(filledBy) ?? [];
      if (f.def.rows.kind === 'rows') return { copies: below(filledBy) ? 1 : fillers.length, rows: members[i]!.length };
      if (below(filledBy)) return { copies: 0, rows: 0 };
      const groups = under.get(f.def.rows.groupBy) ?? [];
      const rows = fillers.reduce((n, filler) => n + groups.filter((g) => ancestor(g, filledBy) === filler.code).length + 1, 0);
      return { copies: fillers.length, rows };
    });
  }
}

/**
 * The cells of one form the facts fill: for each fact, the form's rows that show that record (the resident's rows,
 * the household's members', the visit's or business's own row, the rows whose 最近走访日期 a visit gives) times the
 * columns drawing on the fact's field through that link. Adds each fact's cells to `byField`.
 */
function cellsFilled(form: FormDraws, rows: MemberRow[], facts: Fact[], byField: Map<string, number>): number {
  const entity = (form.def.rows as RowSet).entity;
  const tally = (ids: (number | null)[]) => ids.reduce((m, id) => (id === null ? m : m.set(id, (m.get(id) ?? 0) + 1)), new Map<number, number>());
  const own = new Set(rows.map((r) => r.rowId));
  const byResident = tally(rows.map((r) => r.residentId));
  const byHousehold = tally(rows.map((r) => r.householdId));
  const columns = new Map<string, number>();
  for (const draws of form.columns) for (const d of draws) columns.set(`${d.link}:${d.field}`, (columns.get(`${d.link}:${d.field}`) ?? 0) + 1);
  const n = (link: string, field: string) => columns.get(`${link}:${field}`) ?? 0;
  let total = 0;
  for (const fact of facts) {
    const { field, recordId: id } = fact;
    let cells = 0;
    if (fact.entity === 'resident') cells = (byResident.get(id) ?? 0) * (n('resident', field) + n('household', field));
    else if (fact.entity === 'household') cells = (byHousehold.get(id) ?? 0) * n('household', field);
    else if (fact.entity === 'visit') {
      cells = (entity === 'visit' && own.has(id) ? n('row', field) : 0) + (fact.visitResident === null ? 0 : (byResident.get(fact.visitResident) ?? 0) * n('latestVisit', field));
    } else if (fact.entity === 'business') cells = entity === 'business' && own.has(id) ? n('row', field) : 0;
    if (cells) byField.set(field, (byField.get(field) ?? 0) + cells);
    total += cells;
  }
  return total;
}
