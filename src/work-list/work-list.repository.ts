import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';
import type { ViewScope, ViewSqlBuilder } from '../views/view-sql.js';
import type { GapField } from './gap-fields.js';

/** One form as the work list reads it: its SQL builder (row filter), the facts that can be missing, its rank by due date. */
export interface GapForm {
  code: string;
  builder: ViewSqlBuilder;
  gaps: GapField[];
  /** 0 for the forms due first; forms due the same day share a rank. */
  dueRank: number;
  scope: ViewScope;
}

export interface WorkListRow {
  resident_id: number;
  id_number: string;
  name: string;
  grid_code: string;
  due_rank: number;
  forms: number;
}

export interface GridGapRow {
  grid_code: string;
  residents: number;
  forms: number;
  fields: number;
}

/** Value types stored as text, where an empty string is as empty as NULL. */
const TEXT_TYPES = new Set(['text', 'phone']);

/**
 * All SQL of the work list. Each form contributes the residents in its view (the view SQL builder's own filter, area
 * and registration) with at least one fillable fact empty; the database unions them, groups by resident, orders and
 * pages, so a street of a million residents is never read into memory.
 */
@Injectable()
export class WorkListRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** One page of residents with gaps: nearest due date first, then most forms affected, then by community and grid. */
  async page(forms: GapForm[], limit: number, offset: number): Promise<WorkListRow[]> {
    if (!forms.length) return [];
    const params = new Params(this.dialect);
    const union = this.union(forms, params);
    const rows = await this.dataSource.query(
      `SELECT x.resident_id, x.due_rank, x.forms, r.id_number, r.name, r.grid_code
         FROM (SELECT w.resident_id, MIN(w.due_rank) AS due_rank, COUNT(*) AS forms FROM (${union}) w GROUP BY w.resident_id) x
         JOIN residents r ON r.id = x.resident_id JOIN org_units g ON g.code = r.grid_code JOIN org_units c ON c.code = g.parent_code
        ORDER BY x.due_rank, x.forms DESC, c.sort_order, c.code, g.sort_order, g.code, r.id_number, r.id
        LIMIT ${Number(limit)} OFFSET ${Number(offset)}`,
      params.values,
    );
    return rows.map((r: Record<string, unknown>) => ({ ...r, resident_id: Number(r.resident_id), due_rank: Number(r.due_rank), forms: Number(r.forms) }));
  }

  /** Per grid: residents with gaps, (resident, form) pairs with gaps, and empty cells. */
  async totals(forms: GapForm[]): Promise<GridGapRow[]> {
    if (!forms.length) return [];
    const params = new Params(this.dialect);
    const union = this.union(forms, params);
    const rows = await this.dataSource.query(
      `SELECT w.grid_code, COUNT(DISTINCT w.resident_id) AS residents, COUNT(*) AS forms, SUM(w.gaps) AS fields FROM (${union}) w GROUP BY w.grid_code`,
      params.values,
    );
    return rows.map((r: Record<string, unknown>) => ({ grid_code: String(r.grid_code), residents: Number(r.residents), forms: Number(r.forms), fields: Number(r.fields) }));
  }

  /** Which of a form's facts are empty, for the residents of one page (in the form's view): id → one flag per gap field. */
  async missing(form: GapForm, residentIds: number[]): Promise<Map<number, boolean[]>> {
    if (!residentIds.length) return new Map();
    const params = new Params(this.dialect);
    const flags = form.gaps.map((g, i) => `CASE WHEN ${this.empty(form, g, params)} THEN 1 ELSE 0 END AS m${i}`);
    const where = form.builder.inView(params, form.scope);
    const ids = residentIds.map((id) => params.add(id)).join(', ');
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT e.id AS resident_id, ${flags.join(', ')} ${form.builder.fromClause} WHERE ${where} AND e.id IN (${ids})`,
      params.values,
    );
    return new Map(rows.map((r) => [Number(r.resident_id), form.gaps.map((_, i) => Number(r[`m${i}`]) === 1)]));
  }

  /** Every form's residents with a gap: (resident, grid, the form's due rank, how many of its facts are empty). */
  private union(forms: GapForm[], params: Params): string {
    return forms
      .map((f) => {
        // Parameters are numbered in the order they appear in the text: the SELECT list first, then the WHERE.
        const count = f.gaps.map((g) => `CASE WHEN ${this.empty(f, g, params)} THEN 1 ELSE 0 END`).join(' + ');
        const inView = f.builder.inView(params, f.scope);
        const any = f.gaps.map((g) => this.empty(f, g, params)).join(' OR ');
        return `SELECT e.id AS resident_id, e.grid_code AS grid_code, ${Number(f.dueRank)} AS due_rank, ${count} AS gaps ${f.builder.fromClause} WHERE ${inView} AND (${any})`;
      })
      .join(' UNION ALL ');
  }

  /** A fact is a gap when empty and, if the dictionary limits it (onlyWhen), applicable to this resident. */
  private empty(form: GapForm, gap: GapField, params: Params): string {
    const col = form.builder.column(gap.field);
    const isEmpty = TEXT_TYPES.has(gap.field.type) ? `(${col} IS NULL OR ${col} = '')` : `${col} IS NULL`;
    return gap.when ? `(${isEmpty} AND ${form.builder.condition(gap.when, params, form.scope, null)})` : isEmpty;
  }
}
