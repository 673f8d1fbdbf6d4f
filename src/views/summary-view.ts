import type { DataSource } from 'typeorm';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { OrgUnit } from '../ledger/org-unit.repository.js';
import type { Condition, RowSet, SummaryRows, TemplateDef } from '../templates/template.types.js';
import { Params, type SqlDialect } from './sql-dialect.js';
import { REGISTERED_ON, rollUp, type ViewScope, ViewSqlBuilder } from './view-sql.js';

/**
 * A summary form (F09): one row per community of a street, in the street's order, each count computed in the
 * database with the same filters as the form it counts, and a totals row.
 */
export class SummaryView {
  /** One query per counted form, and one for the resident counts the grid index answers (all of them, per condition). */
  private readonly queries: { builder: ViewSqlBuilder; columns: number[]; counts: Condition[][] }[] = [];

  constructor(
    private readonly def: TemplateDef & { rows: SummaryRows },
    dict: Dictionary,
    private readonly dialect: SqlDialect,
    forms: Map<string, RowSet>,
    private readonly templates: Map<string, TemplateDef>,
  ) {
    const residents = (where: Condition[]): RowSet => ({ kind: 'rows', entity: 'resident', where, orderBy: [] });
    let byAge: { builder: ViewSqlBuilder; columns: number[]; counts: Condition[][] } | null = null;
    def.columns.forEach((col, i) => {
      const s = col.source;
      if (s.kind === 'countForm') {
        // The counted form's own filter, narrowed by the column's conditions over its rows (F07 rows with 居住事由 务工).
        const form = this.templates.get(s.form) as TemplateDef & { rows: RowSet };
        const narrowed = s.where.length ? { ...form, rows: { ...form.rows, where: [...form.rows.where, ...s.where] } } : form;
        this.queries.push({ builder: new ViewSqlBuilder(narrowed, dict, dialect, forms), columns: [i], counts: [[]] });
      } else if (s.kind === 'count' && s.of === 'resident') {
        // Residents, by age or not at all (all residents, 60+): one pass over IDX_residents_grid (grid, status, ID
        // number) counts every one of them. A count on other fields is a query of its own, on that field's index.
        if (s.where.every((w) => w.kind === 'age')) {
          byAge ??= { builder: new ViewSqlBuilder({ ...def, rows: residents([]), columns: [] }, dict, dialect, forms), columns: [], counts: [] };
          byAge.columns.push(i);
          byAge.counts.push(s.where);
        } else this.queries.push({ builder: new ViewSqlBuilder({ ...def, rows: residents(s.where), columns: [] }, dict, dialect, forms), columns: [i], counts: [[]] });
      }
    });
    if (byAge) this.queries.push(byAge);
  }

  get groupBy(): 'community' | 'grid' {
    return this.def.rows.groupBy;
  }

  /** Cell values per group (community or grid), then the totals row. */
  async rows(ds: DataSource, groups: (OrgUnit & { parentName: string })[], scope: ViewScope): Promise<unknown[][]> {
    // Each column's counts by group: the queries above (several columns each at most) and the plain counts.
    const perColumn: (Map<string, number> | undefined)[] = [];
    await Promise.all([
      ...this.queries.map(async ({ builder, columns, counts }) => {
        const query = builder.countsByGroup(scope, this.groupBy, counts);
        const rows: Record<string, unknown>[] = await ds.query(query.sql, query.params);
        columns.forEach((column, k) => (perColumn[column] = new Map(rows.map((r) => [String(r.unit), Number(r[`n${k}`])]))));
      }),
      ...this.def.columns.map(async (col, i) => {
        const s = col.source;
        if (s.kind !== 'count' || s.of === 'resident' || (s.of === 'grid' && this.groupBy === 'grid')) return;
        const query = this.plainCount(s.of as 'grid' | 'household', groups, scope);
        const rows: { unit: string; n: number | string }[] = await ds.query(query.sql, query.params);
        perColumn[i] = new Map(rows.map((r) => [r.unit, Number(r.n)]));
      }),
    ]);
    const rows = groups.map((community, r) =>
      this.def.columns.map((col, i) => {
        const s = col.source;
        if (s.kind === 'rowNumber') return r + 1;
        if (s.kind === 'orgUnit') return s.level === this.groupBy ? community.name : community.parentName;
        if (s.kind === 'count' && s.of === 'grid' && this.groupBy === 'grid') return 1;
        if (s.kind === 'constant') return s.value;
        if (s.kind === 'ratio') return null; // from the row's counts, below
        return perColumn[i]?.get(community.code) ?? 0;
      }),
    );
    const labelAt = this.def.columns.findIndex((c) => c.key === this.def.rows.labelColumn);
    const totals = this.def.columns.map((col, i) => {
      const s = col.source;
      if (i === labelAt) return this.def.rows.totalsLabel;
      if (s.kind === 'count' || s.kind === 'countForm') return rows.reduce((sum, row) => sum + Number(row[i]), 0);
      return s.kind === 'constant' ? s.value : null;
    });
    // A ratio of the totals row is the ratio of its totals, not a sum of the rows' ratios.
    for (const row of [...rows, totals]) this.fillRatios(row);
    return [...rows, totals];
  }

  private fillRatios(row: unknown[]): void {
    this.def.columns.forEach((col, i) => {
      const s = col.source;
      if (s.kind !== 'ratio') return;
      const at = (key: string) => Number(row[this.def.columns.findIndex((c) => c.key === key)]);
      const [part, whole] = [at(s.part), at(s.whole)];
      // Nothing to divide by: an empty cell, not 0 % nor an error.
      row[i] = whole > 0 ? round((part / whole) * (s.percent ? 100 : 1), s.places) : null;
    });
  }

  private plainCount(of: 'grid' | 'household', communities: OrgUnit[], { referenceDate, range }: ViewScope): { sql: string; params: unknown[] } {
    const params = new Params(this.dialect);
    const list = () => communities.map((c) => params.add(c.code)).join(', '); // placeholders in the order they appear (SQLite's are positional)
    if (of === 'grid') return { sql: `SELECT parent_code AS unit, COUNT(*) AS n FROM org_units WHERE parent_code IN (${list()}) GROUP BY parent_code`, params: params.values };
    // A household counts while somebody lives in it: a resident still registered on the reference date (looked up in
    // IDX_residents_household, which carries the date). Counted per grid of the groups' range, then rolled up.
    const [from, to] = [params.add(range.from), params.add(range.to)];
    const living = REGISTERED_ON('r', params.add(referenceDate));
    const perGrid = `SELECT h.grid_code AS grid_code, COUNT(*) AS n0 FROM households h WHERE h.grid_code >= ${from} AND h.grid_code < ${to}
      AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND ${living}) GROUP BY h.grid_code`;
    return { sql: `SELECT t.unit, t.n0 AS n FROM (${rollUp(perGrid, this.groupBy)}) t WHERE t.unit IN (${list()})`, params: params.values };
  }
}

/** Half away from zero at `places` decimals, without binary noise (0.875 → 0.88, 87.5 → 87.5). */
function round(x: number, places: number): number {
  return Number(`${Math.round(Number(`${x}e${places}`))}e-${places}`);
}
