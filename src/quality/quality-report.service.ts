import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../access/access-policy.js';
import { pageSize } from '../access/page-size.js';
import type { Viewer } from '../access/viewer.js';
import { ValidationFailedError } from '../common/errors/domain-errors.js';
import { todayIso } from '../identity/index.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ResidentRepository } from '../ledger/resident.repository.js';
import { residentView, type ResidentView } from '../ledger/resident-view.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { QualityChecker } from './quality-checker.js';
import type { QualityFinding } from './quality-rules.js';
import { QualityRepository } from './quality.repository.js';
import type { QualityUnitCountType } from './quality.types.js';

export interface QualityReport {
  orgUnit: string;
  orgUnitName: string;
  residentsChecked: number;
  residentsAffected: number;
  byRule: (QualityFinding & { count: number })[];
  residents: { resident: ResidentView & { warnings: QualityFinding[] }; warnings: QualityFinding[] }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  communities: QualityUnitCountType[];
  grids: QualityUnitCountType[];
}

/** Checked and affected residents of one grid, and per rule. */
interface Tally {
  checked: number;
  affected: number;
  byRule: Map<string, number>;
}

/** Levels a report is asked for: a grid, a community, or a street (its communities together). */
const LEVELS = ['grid', 'community', 'street'];

/**
 * The data-quality report of an org unit: every rule with how many residents on the ledger it holds for, and those
 * residents with their findings, a page at a time (by grid, then record id). Computed from the ledger as it is now
 * with the rules as they are now, so a reworded rule or a corrected record shows at once.
 */
@Injectable()
export class QualityReportService {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repository: QualityRepository,
    private readonly residents: ResidentRepository,
    private readonly checker: QualityChecker,
    private readonly dataSource: DataSource,
    private readonly orgUnits: OrgUnitRepository,
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
  ) {}

  async report(viewer: Viewer, orgUnit: string, first: number | null | undefined, after: string | null | undefined): Promise<QualityReport> {
    const size = pageSize(first, 50);
    const unit = await this.policy.unit(viewer, orgUnit);
    if (!LEVELS.includes(unit.level)) {
      throw new ValidationFailedError([{ path: ['orgUnit'], code: 'WRONG_ORG_LEVEL', message: '数据质量报告按网格、社区或街道查询' }]);
    }
    const today = todayIso();
    const rows = await this.repository.inRange(unit.range);
    const householdIds = rows.flatMap((r) => (r.row.householdId ? [r.row.householdId as number] : []));
    const households = new Map((await this.residents.findHouseholds(this.dataSource.manager, householdIds)).map((h) => [h.id as number, h]));
    const counts = new Map(this.checker.rules.map((r) => [r.id, 0]));
    const affected: { row: ResidentView; warnings: QualityFinding[] }[] = [];
    const perGrid = new Map<string, Tally>();
    for (const { row, cross } of rows) {
      const view = residentView(this.dictionary, row, households.get(row.householdId) ?? null, today);
      const warnings = this.checker.evaluate(this.checker.facts(view), cross, today);
      const tally = perGrid.get(view.gridCode) ?? { checked: 0, affected: 0, byRule: new Map<string, number>() };
      perGrid.set(view.gridCode, tally);
      tally.checked++;
      if (!warnings.length) continue;
      tally.affected++;
      for (const w of warnings) {
        counts.set(w.rule, (counts.get(w.rule) ?? 0) + 1);
        tally.byRule.set(w.rule, (tally.byRule.get(w.rule) ?? 0) + 1);
      }
      affected.push({ row: view, warnings });
    }
    const [grids, communities] = await Promise.all([this.orgUnits.unitsUnder(unit.range, 'grid'), this.orgUnits.unitsUnder(unit.range, 'community')]);
    // The roll-ups the dashboard draws: every grid and community of the range, the ones without findings as 0.
    const unitCount = (u: { code: string; name: string; level: string; parentName: string }, tallies: Tally[]): QualityUnitCountType => ({
      code: u.code,
      name: u.name,
      level: u.level,
      parentName: u.parentName,
      residentsChecked: tallies.reduce((n, t) => n + t.checked, 0),
      residentsAffected: tallies.reduce((n, t) => n + t.affected, 0),
      byRule: this.checker.rules.map((r) => ({ rule: r.id, count: tallies.reduce((n, t) => n + (t.byRule.get(r.id) ?? 0), 0) })),
    });
    const tallyOf = (code: string) => (perGrid.has(code) ? [perGrid.get(code)!] : []);
    // After the cursor's place in (grid, id) order: a resident corrected since the last page does not lose the place.
    const cursor = after ? parseCursor(after) : null;
    const start = cursor ? affected.findIndex((a) => a.row.gridCode > cursor.grid || (a.row.gridCode === cursor.grid && a.row.id > cursor.id)) : 0;
    const page = start < 0 ? [] : affected.slice(start, start + size);
    return {
      orgUnit: unit.code,
      orgUnitName: unit.name,
      residentsChecked: rows.length,
      residentsAffected: affected.length,
      byRule: this.checker.rules.map((r) => ({ rule: r.id, code: r.code, severity: r.severity, message: r.message, fields: r.fields, count: counts.get(r.id) ?? 0 })),
      residents: page.map((a) => ({ resident: Object.assign(a.row, { warnings: a.warnings }), warnings: a.warnings })),
      pageInfo: { hasNextPage: start >= 0 && start + size < affected.length, endCursor: page.length ? cursorOf(page[page.length - 1].row) : null },
      communities: communities.map((c) => unitCount(c, grids.filter((g) => g.parentCode === c.code).flatMap((g) => tallyOf(g.code)))),
      grids: grids.map((g) => unitCount(g, tallyOf(g.code))),
    };
  }
}

const cursorOf = (row: ResidentView) => `${row.gridCode}:${row.id}`;

function parseCursor(after: string): { grid: string; id: number } {
  const m = /^(\d{15}):(\d{1,12})$/.exec(after);
  if (!m) throw new ValidationFailedError([{ path: ['after'], code: 'INVALID_TYPE', message: '分页位置（after）应为上一页返回的 endCursor' }]);
  return { grid: m[1], id: Number(m[2]) };
}
