import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy } from '../access/access-policy.js';
import { pageSize } from '../access/page-size.js';
import type { Viewer } from '../access/viewer.js';
import { ValidationFailedError } from '../common/errors/domain-errors.js';
import { todayIso } from '../identity/index.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { periodBefore, periodContaining } from '../reporting/period.js';
import { decodeCursor, encodeCursor } from '../views/view-args.js';
import { ViewsService } from '../views/views.service.js';
import type { GridRefType } from '../work-list/work-list.types.js';
import type { VisitSchedule } from './visit-schedule.loader.js';
import { VISIT_SCHEDULE } from './visit-schedule.module.js';
import { type CoverageRow, VisitsDueRepository } from './visits-due.repository.js';
import type { VisitCoverageType, VisitsDueType } from './visits-due.types.js';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function coverage(code: string, name: string, level: string, parentName: string, rows: CoverageRow[]): VisitCoverageType {
  const due = rows.reduce((n, r) => n + r.due, 0);
  const visited = rows.reduce((n, r) => n + r.visited, 0);
  const overdue = rows.reduce((n, r) => n + r.overdue, 0);
  return { code, name, level, parentName, due, visited, overdue, ratio: due ? visited / due : null };
}

/**
 * 本月待走访: which key-group residents of an area (templates/visits.yaml: each group is a resident form's rows, with
 * a frequency) have had no visit in the period containing a month, which had none in the period before either
 * (overdue), and the visit coverage per grid, community and the whole area.
 */
@Injectable()
export class VisitsDueService {
  constructor(
    @Inject(VISIT_SCHEDULE) private readonly schedule: VisitSchedule,
    private readonly views: ViewsService,
    private readonly repository: VisitsDueRepository,
    private readonly orgUnits: OrgUnitRepository,
    private readonly policy: AccessPolicy,
  ) {}

  async visitsDue(viewer: Viewer, orgUnit: string, month: string, first?: number | null, after?: string | null): Promise<VisitsDueType> {
    const limit = pageSize(first);
    const offset = decodeCursor(after);
    const today = todayIso();
    const m = MONTH.exec(month.trim());
    if (!m) throw new ValidationFailedError([{ path: ['month'], code: 'INVALID_DATE', message: `走访月份："${month}" 不是有效的年月（yyyy-mm，如 2026-11）` }]);
    const monthKey = `${m[1]}-${m[2]}`;
    if (monthKey > today.slice(0, 7)) throw new ValidationFailedError([{ path: ['month'], code: 'DATE_IN_FUTURE', message: `走访月份：${monthKey} 晚于本月` }]);
    const unit = await this.policy.unit(viewer, orgUnit);
    const monthEnd = periodContaining('month', `${monthKey}-01`, 1).to;
    const referenceDate = monthEnd < today ? monthEnd : today;
    // The groups of the forms this viewer may see (for a department: its own).
    const visible = new Set(this.policy.templates(viewer, this.views.list()).map((d) => d.code));
    const groups = this.schedule.groups.filter((g) => visible.has(g.form)).map((g) => {
      const period = periodContaining(g.frequency, `${monthKey}-01`, 1);
      return { group: g, period, builder: this.views.builder(g.form)!, from: period.from, previousFrom: periodBefore(period, 1).from };
    });
    const query = { groups, range: unit.range, referenceDate, until: monthEnd };
    const [rows, perGrid, grids] = await Promise.all([
      this.repository.due(query, limit + 1, offset),
      this.repository.coverage(query),
      this.orgUnits.unitsUnder(unit.range, 'grid'),
    ]);
    const page = rows.slice(0, limit);
    const gridRef = new Map(grids.map((g): [string, GridRefType] => [g.code, { code: g.code, name: g.name, communityCode: g.parentCode ?? '', communityName: g.parentName }]));
    const byGrid = new Map(perGrid.map((r) => [r.grid_code, r]));
    const gridCoverage = grids.map((g) => coverage(g.code, g.name, 'grid', g.parentName, byGrid.has(g.code) ? [byGrid.get(g.code)!] : []));
    const communities = [...new Map(grids.map((g) => [g.parentCode ?? '', g.parentName])).entries()].map(([code, name]) =>
      coverage(code, name, 'community', '', grids.filter((g) => g.parentCode === code).flatMap((g) => (byGrid.has(g.code) ? [byGrid.get(g.code)!] : []))));
    const total = coverage(unit.code, unit.name, unit.level, '', perGrid);
    return {
      orgUnitCode: unit.code,
      orgUnitName: unit.name,
      month: monthKey,
      referenceDate,
      groups: groups.map((g) => ({ name: g.group.name, form: g.group.form, frequency: g.group.frequency, periodFrom: g.period.from, periodTo: g.period.to })),
      totalCount: total.due - total.visited,
      residents: page.map((r) => ({
        idNumber: r.id_number,
        name: r.name,
        grid: gridRef.get(r.grid_code)!,
        groups: groups.filter((_, i) => r.groups[i]).map((g) => g.group.name),
        lastVisitDate: r.last_visit,
        overdue: r.overdue,
      })),
      pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length ? encodeCursor(offset + page.length) : null },
      coverage: gridCoverage,
      communities,
      total,
    };
  }
}
