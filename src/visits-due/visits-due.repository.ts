import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CodeRange } from '../access/access-policy.js';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';
import { REGISTERED_ON, type ViewScope, type ViewSqlBuilder } from '../views/view-sql.js';

/** One key group as the queries need it: its form's row filter and the first days of its period and the one before. */
export interface GroupSql {
  builder: ViewSqlBuilder;
  /** A visit on or after this day counts for the period (the month, quarter or year containing the month asked for). */
  from: string;
  /** No visit since this day either: overdue from the previous period. */
  previousFrom: string;
}

export interface VisitsQuery {
  groups: GroupSql[];
  range: CodeRange;
  /** Membership (ages, registration) on this day: the month's last day, or today within the current month. */
  referenceDate: string;
  /** Visits after this day do not count (a past month is seen as it stood at its end). */
  until: string;
}

export interface DueRow {
  resident_id: number;
  id_number: string;
  name: string;
  grid_code: string;
  last_visit: string | null;
  overdue: boolean;
  /** Membership of each group, in the schedule's order. */
  groups: boolean[];
}

export interface CoverageRow {
  grid_code: string;
  due: number;
  visited: number;
  overdue: number;
}

/**
 * All SQL of the visit schedule. The key-group residents of an area (each group's own row filter, from the view SQL
 * builder) with their latest visit up to the month's end, read once per statement; whether that visit falls in the
 * group's period decides visited, due and overdue — counted and paged in the database.
 */
@Injectable()
export class VisitsDueRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** Per grid: key-group residents (due a visit this period), those visited, those overdue. */
  async coverage(q: VisitsQuery): Promise<CoverageRow[]> {
    if (!q.groups.length) return [];
    const params = new Params(this.dialect);
    // Parameters are numbered in the order they appear in the text.
    const notVisited = this.pending(q, params, 'from');
    const overdue = this.pending(q, params, 'previousFrom');
    const members = this.members(q, params);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT k.grid_code, COUNT(*) AS due, SUM(CASE WHEN ${notVisited} THEN 0 ELSE 1 END) AS visited, SUM(CASE WHEN ${overdue} THEN 1 ELSE 0 END) AS overdue
         FROM (${members}) k GROUP BY k.grid_code`,
      params.values,
    );
    return rows.map((r) => ({ grid_code: String(r.grid_code), due: Number(r.due), visited: Number(r.visited), overdue: Number(r.overdue) }));
  }

  /** One page of key-group residents not yet visited this period: overdue first, then the longest unvisited. */
  async due(q: VisitsQuery, limit: number, offset: number): Promise<DueRow[]> {
    if (!q.groups.length) return [];
    const params = new Params(this.dialect);
    const overdue = this.pending(q, params, 'previousFrom');
    const members = this.members(q, params);
    const notVisited = this.pending(q, params, 'from');
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT k.*, r.id_number, r.name, CASE WHEN ${overdue} THEN 1 ELSE 0 END AS overdue
         FROM (${members}) k JOIN residents r ON r.id = k.resident_id JOIN org_units g ON g.code = k.grid_code JOIN org_units c ON c.code = g.parent_code
        WHERE ${notVisited}
        ORDER BY overdue DESC, CASE WHEN k.last_visit IS NULL THEN 0 ELSE 1 END, k.last_visit, c.sort_order, c.code, g.sort_order, g.code, r.id_number
        LIMIT ${Number(limit)} OFFSET ${Number(offset)}`,
      params.values,
    );
    return rows.map((r) => ({
      resident_id: Number(r.resident_id),
      id_number: String(r.id_number),
      name: String(r.name),
      grid_code: String(r.grid_code),
      last_visit: (r.last_visit as string | null) ?? null,
      overdue: Number(r.overdue) === 1,
      groups: q.groups.map((_, i) => Number(r[`in${i}`]) === 1),
    }));
  }

  /** Key-group residents of the area registered on the reference date: group flags and latest visit up to `until`. */
  private members(q: VisitsQuery, params: Params): string {
    const scope: ViewScope = { range: q.range, referenceDate: q.referenceDate, period: { from: q.referenceDate, to: q.referenceDate } };
    const flags = q.groups.map((g, i) => `CASE WHEN ${g.builder.rowFilter(params, scope)} THEN 1 ELSE 0 END AS in${i}`);
    const until = params.add(q.until);
    const where = [`e.grid_code >= ${params.add(q.range.from)}`, `e.grid_code < ${params.add(q.range.to)}`, REGISTERED_ON('e', params.add(q.referenceDate))];
    const any = q.groups.map((g) => g.builder.rowFilter(params, scope)).join(' OR ');
    // Every resident form shares the same FROM (residents, households, org units, 包联干部): the first one's serves all.
    return `SELECT e.id AS resident_id, e.grid_code AS grid_code, ${flags.join(', ')},
              (SELECT MAX(v.visit_date) FROM visits v WHERE v.resident_id = e.id AND v.visit_date <= ${until}) AS last_visit
            ${q.groups[0].builder.fromClause} WHERE ${where.join(' AND ')} AND (${any})`;
  }

  /** Some group of the resident has had no visit since the group's period (or the one before) began. */
  private pending(q: VisitsQuery, params: Params, since: 'from' | 'previousFrom'): string {
    return `(${q.groups.map((g, i) => `(k.in${i} = 1 AND (k.last_visit IS NULL OR k.last_visit < ${params.add(g[since])}))`).join(' OR ')})`;
  }
}
