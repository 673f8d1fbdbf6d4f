import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { type CodeRange, gridsWithin } from '../access/access-policy.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { OrgUnit } from '../ledger/org-unit.repository.js';
import type { Condition, RowSet, SummaryRows, TemplateDef } from '../templates/template.types.js';
import { Params, type SqlDialect } from './sql-dialect.js';
import type { GridState, SummaryCountsRepository, SummaryKey } from './summary-counts.repository.js';
import { REGISTERED_ON, type ViewScope, ViewSqlBuilder } from './view-sql.js';

/** Bumped when the way counts are computed changes: every cached count of the old way is then out of date. */
const COUNTING = 1;

/** One count query per grid: the columns it fills (template keys) and each one's extra conditions. */
interface GridQuery {
  builder: ViewSqlBuilder | 'households';
  keys: string[];
  counts: Condition[][];
  /**
   * Whether grid versions cover it: forms of residents and visits are bumped by triggers on residents, households
   * and visits; a business form (its own grid, its operator's facts) is counted afresh on each read.
   */
  cached: boolean;
}

/**
 * A summary form (F09): one row per community of a street, in the street's order, each count computed in the
 * database with the same filters as the form it counts, and a totals row.
 *
 * Counts are kept per grid in summary_counts with the grid's version (grid_versions, bumped by triggers in every
 * writing transaction): a read counts only the grids changed since they were last counted, then adds the grids up
 * per community in code. Exact whatever writes: a count is reused only while its grid's version is unchanged.
 */
export class SummaryView {
  private readonly queries: GridQuery[] = [];
  /** Template definitions the counts depend on (this form, the forms it counts, the dictionary). */
  private readonly hash: string;

  constructor(
    private readonly def: TemplateDef & { rows: SummaryRows },
    dict: Dictionary,
    private readonly dialect: SqlDialect,
    forms: Map<string, RowSet>,
    private readonly templates: Map<string, TemplateDef>,
    private readonly cache: SummaryCountsRepository,
  ) {
    const residents = (where: Condition[]): RowSet => ({ kind: 'rows', entity: 'resident', where, orderBy: [] });
    let byAge: GridQuery | null = null;
    const counted: TemplateDef[] = [];
    for (const col of def.columns) {
      const s = col.source;
      if (s.kind === 'countForm') {
        // The counted form's own filter, narrowed by the column's conditions over its rows (F07 rows with 居住事由 务工).
        const form = this.templates.get(s.form) as TemplateDef & { rows: RowSet };
        counted.push(form);
        const narrowed = s.where.length ? { ...form, rows: { ...form.rows, where: [...form.rows.where, ...s.where] } } : form;
        this.queries.push({ builder: new ViewSqlBuilder(narrowed, dict, dialect, forms), keys: [col.key], counts: [[]], cached: form.rows.entity !== 'business' });
      } else if (s.kind === 'count' && s.of === 'resident') {
        // Residents, by age or not at all (all residents, 60+): one pass over IDX_residents_grid (grid, status, ID
        // number) counts every one of them. A count on other fields is a query of its own, on that field's index.
        if (s.where.every((w) => w.kind === 'age')) {
          byAge ??= { builder: new ViewSqlBuilder({ ...def, rows: residents([]), columns: [] }, dict, dialect, forms), keys: [], counts: [], cached: true };
          byAge.keys.push(col.key);
          byAge.counts.push(s.where);
        } else this.queries.push({ builder: new ViewSqlBuilder({ ...def, rows: residents(s.where), columns: [] }, dict, dialect, forms), keys: [col.key], counts: [[]], cached: true });
      } else if (s.kind === 'count' && s.of === 'household') this.queries.push({ builder: 'households', keys: [col.key], counts: [[]], cached: true });
    }
    if (byAge) this.queries.push(byAge);
    const dictionary = JSON.stringify(dict, (_k, v) => (v instanceof Map ? [...v] : v));
    const definitions = { counting: COUNTING, def: { rows: def.rows, columns: def.columns }, counted: counted.map((f) => ({ code: f.code, rows: f.rows, columns: f.columns })), forms: [...forms], dictionary };
    this.hash = createHash('sha256').update(JSON.stringify(definitions)).digest('hex');
  }

  get groupBy(): 'community' | 'grid' {
    return this.def.rows.groupBy;
  }

  /**
   * Cell values per group (community or grid), then the totals row. `ds` is where the caller reads (the replica for
   * a department pull); counts are cached on the primary.
   */
  async rows(ds: DataSource, groups: (OrgUnit & { parentName: string })[], scope: ViewScope): Promise<unknown[][]> {
    const key: SummaryKey = { formCode: this.def.code, definitionHash: this.hash, referenceDate: scope.referenceDate, period: scope.period };
    const grids = await this.cache.grids(ds, key, scope.range);
    const perGrid = await this.gridCounts(ds, key, scope, grids);
    // The grids added up per group, in code: a few dozen grids per street. The grids read are the org units, so
    // they are counted here too (网格数).
    const sums = new Map<string, Record<string, number>>();
    const gridsPerCommunity = new Map<string, number>();
    for (const grid of grids) {
      const group = this.groupBy === 'grid' ? grid.gridCode : grid.parentCode;
      if (group === null) continue;
      const sum = sums.get(group) ?? {};
      for (const [k, n] of Object.entries(perGrid.get(grid.gridCode) ?? {})) sum[k] = (sum[k] ?? 0) + n;
      sums.set(group, sum);
      gridsPerCommunity.set(group, (gridsPerCommunity.get(group) ?? 0) + 1);
    }
    const rows = groups.map((community, r) =>
      this.def.columns.map((col) => {
        const s = col.source;
        if (s.kind === 'rowNumber') return r + 1;
        if (s.kind === 'orgUnit') return s.level === this.groupBy ? community.name : community.parentName;
        if (s.kind === 'count' && s.of === 'grid') return this.groupBy === 'grid' ? 1 : (gridsPerCommunity.get(community.code) ?? 0);
        if (s.kind === 'constant') return s.value;
        if (s.kind === 'ratio') return null; // from the row's counts, below
        return sums.get(community.code)?.[col.key] ?? 0;
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

  /**
   * Every grid's counts: cached ones while their grid's version is unchanged, the others counted now (grouped by
   * grid, over the stale grids' ranges or the whole scope when most are stale) and stored with the version read
   * before counting — a write that commits meanwhile bumps it, so the next read counts that grid again.
   */
  private async gridCounts(ds: DataSource, key: SummaryKey, scope: ViewScope, grids: GridState[]): Promise<Map<string, Record<string, number>>> {
    const perGrid = new Map<string, Record<string, number>>();
    for (const g of grids) if (g.counts) perGrid.set(g.gridCode, { ...g.counts });
    const stale = grids.filter((g) => !g.counts);
    const cached = this.queries.filter((q) => q.cached);
    const live = this.queries.filter((q) => !q.cached);
    const [fresh, uncached] = await Promise.all([
      stale.length && cached.length ? this.count(ds, scope, this.rangesOf(scope.range, grids, stale), cached) : new Map<string, Record<string, number>>(),
      live.length ? this.count(ds, scope, [scope.range], live) : null,
    ]);
    if (stale.length) {
      const keys = cached.flatMap((q) => q.keys);
      const stored = stale.map((g) => ({ gridCode: g.gridCode, version: g.version, counts: Object.fromEntries(keys.map((k) => [k, fresh.get(g.gridCode)?.[k] ?? 0])) }));
      for (const g of stored) perGrid.set(g.gridCode, { ...g.counts });
      await this.cache.store(key, stored);
    }
    for (const [grid, counts] of uncached ?? []) if (perGrid.has(grid)) Object.assign(perGrid.get(grid)!, counts);
    return perGrid;
  }

  /** The whole scope when most grids are stale; else one range per run of consecutive stale grids (in code order). */
  private rangesOf(scope: CodeRange, grids: GridState[], stale: GridState[]): CodeRange[] {
    if (stale.length * 2 > grids.length) return [scope];
    const ranges: CodeRange[] = [];
    let run: GridState[] = [];
    for (const g of [...grids, null]) {
      if (g && !g.counts) run.push(g);
      else if (run.length) {
        ranges.push(gridsWithin(scope, run[0].gridCode, run[run.length - 1].gridCode));
        run = [];
      }
    }
    return ranges;
  }

  /** The queries' counts per grid over some ranges of the scope. */
  private async count(ds: DataSource, scope: ViewScope, ranges: CodeRange[], queries: GridQuery[]): Promise<Map<string, Record<string, number>>> {
    const perGrid = new Map<string, Record<string, number>>();
    await Promise.all(
      ranges.flatMap((range) =>
        queries.map(async ({ builder, keys, counts }) => {
          const query = builder === 'households' ? this.households({ ...scope, range }) : builder.countsByGrid({ ...scope, range }, counts);
          const rows: Record<string, unknown>[] = await ds.query(query.sql, query.params);
          for (const r of rows) {
            const grid = String(r.grid_code);
            const entry = perGrid.get(grid) ?? {};
            keys.forEach((k, i) => (entry[k] = Number(r[`n${i}`])));
            perGrid.set(grid, entry);
          }
        }),
      ),
    );
    return perGrid;
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

  /**
   * Households per grid: one counts while somebody lives in it, a resident still registered on the reference date
   * (looked up in IDX_residents_household, which carries the date).
   */
  private households({ referenceDate, range }: ViewScope): { sql: string; params: unknown[] } {
    const params = new Params(this.dialect);
    const [from, to] = [params.add(range.from), params.add(range.to)];
    const living = REGISTERED_ON('r', params.add(referenceDate));
    return {
      sql: `SELECT h.grid_code AS grid_code, COUNT(*) AS n0 FROM households h WHERE h.grid_code >= ${from} AND h.grid_code < ${to}
        AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND ${living}) GROUP BY h.grid_code`,
      params: params.values,
    };
  }
}

/** Half away from zero at `places` decimals, without binary noise (0.875 → 0.88, 87.5 → 87.5). */
function round(x: number, places: number): number {
  return Number(`${Math.round(Number(`${x}e${places}`))}e-${places}`);
}
