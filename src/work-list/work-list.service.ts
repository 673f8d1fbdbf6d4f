import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy } from '../access/access-policy.js';
import { pageSize } from '../access/page-size.js';
import type { Viewer } from '../access/viewer.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { todayIso } from '../identity/index.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import type { Period } from '../reporting/period.js';
import type { TemplateDef } from '../templates/template.types.js';
import { decodeCursor, encodeCursor, resolvePeriod } from '../views/view-args.js';
import { ViewsService } from '../views/views.service.js';
import { gapFields } from './gap-fields.js';
import { nextDue } from './next-due.js';
import { type GapForm, WorkListRepository } from './work-list.repository.js';
import type { GridRefType, WorkListFormType, WorkListType } from './work-list.types.js';

/**
 * 待完善: for an org unit, the residents who appear in a department form the viewer may see with a fact empty that a
 * person can fill, the forms concerned and what is missing; ordered by the nearest due date of those forms' next
 * report, then by how many forms are affected; with totals per grid.
 */
@Injectable()
export class WorkListService {
  constructor(
    private readonly views: ViewsService,
    private readonly repository: WorkListRepository,
    private readonly orgUnits: OrgUnitRepository,
    private readonly policy: AccessPolicy,
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
  ) {}

  async workList(viewer: Viewer, orgUnit: string, first?: number | null, after?: string | null): Promise<WorkListType> {
    const limit = pageSize(first);
    const offset = decodeCursor(after);
    const unit = await this.policy.unit(viewer, orgUnit);
    const today = todayIso();
    const forms = this.forms(viewer, today);
    const ranks = [...new Set(forms.map((f) => f.period.due))].sort();
    const gapForms: GapForm[] = forms.map(({ def, period }) => ({
      code: def.code,
      builder: this.views.builder(def.code)!,
      gaps: gapFields(def, this.dictionary),
      dueRank: ranks.indexOf(period.due),
      scope: { range: unit.range, ...resolvePeriod(def, today) },
    }));
    const [rows, totals, grids] = await Promise.all([
      this.repository.page(gapForms, limit + 1, offset),
      this.repository.totals(gapForms),
      this.orgUnits.unitsUnder(unit.range, 'grid'),
    ]);
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.resident_id);
    const missing = await Promise.all(gapForms.map((f) => this.repository.missing(f, ids)));
    const gridRef = new Map(grids.map((g): [string, GridRefType] => [g.code, { code: g.code, name: g.name, communityCode: g.parentCode ?? '', communityName: g.parentName }]));
    const byGrid = new Map(totals.map((t) => [t.grid_code, t]));
    const items = page.map((r) => {
      const shown: WorkListFormType[] = [];
      forms.forEach(({ def, period }, i) => {
        const flags = missing[i].get(r.resident_id);
        if (!flags?.some(Boolean)) return;
        const fields = gapForms[i].gaps.filter((_, k) => flags[k]).map((g) => ({ field: g.field.key, label: g.field.label }));
        shown.push({ code: def.code, name: def.name, department: def.department, period: period.key, dueDate: period.due, missing: fields });
      });
      shown.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.code.localeCompare(b.code));
      return { idNumber: r.id_number, name: r.name, grid: gridRef.get(r.grid_code)!, dueDate: shown[0]?.dueDate ?? '', forms: shown };
    });
    return {
      orgUnitCode: unit.code,
      orgUnitName: unit.name,
      asOf: today,
      totalCount: totals.reduce((n, t) => n + t.residents, 0),
      items,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length ? encodeCursor(offset + page.length) : null },
      grids: grids.map((g) => {
        const t = byGrid.get(g.code);
        return { grid: gridRef.get(g.code)!, residents: t?.residents ?? 0, forms: t?.forms ?? 0, fields: t?.fields ?? 0 };
      }),
    };
  }

  /** The resident forms the viewer may see (a department: its own) that have fillable columns, with their next report. */
  private forms(viewer: Viewer, today: string): { def: TemplateDef; period: Period }[] {
    return this.views
      .listFor(viewer)
      .filter((def) => gapFields(def, this.dictionary).length > 0)
      .map((def) => ({ def, period: nextDue(def, today) }));
  }
}
