import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { CodeRange, ViewGrant } from '../access/access-policy.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { RowSet, TemplateColumn, TemplateDef } from '../templates/template.types.js';
import { formatRow } from '../views/row-formatter.js';
import type { SqlDialect } from '../views/sql-dialect.js';
import { resolvePeriod } from '../views/view-args.js';
import type { ViewSqlBuilder } from '../views/view-sql.js';

/** One row of a form as the feed keeps it: its key (the record's id), its grid, its values (full). */
export interface ComputedRow {
  key: number;
  grid: string;
  values: unknown[];
  hash: string;
  maskedHash: string;
}

/** The columns a feed carries: the form's, without the row number (a position, not a fact of the row). */
export function feedColumns(def: TemplateDef): TemplateColumn[] {
  return def.columns.filter((c) => c.source.kind !== 'rowNumber');
}

const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * A row form's rows for given keys (or the next keys in key order), computed by the view's own SQL (the same filter,
 * the same columns as formView) over the whole ledger on a day: what the change log compares with what it logged.
 */
export class FormRows {
  readonly columns: TemplateColumn[];
  private readonly positions: number[];

  constructor(
    readonly def: TemplateDef & { rows: RowSet },
    private readonly builder: ViewSqlBuilder,
    private readonly dictionary: Dictionary,
    private readonly dialect: SqlDialect,
    private readonly range: CodeRange,
    private readonly masked: ViewGrant,
  ) {
    this.columns = feedColumns(def);
    this.positions = this.columns.map((c) => def.columns.indexOf(c));
  }

  /** The view's reference date and period on a day (today for date forms, the month's last day for monthly ones). */
  dates(today: string): { referenceDate: string; period: { from: string; to: string } } {
    return resolvePeriod(this.def, today);
  }

  /** The rows among these keys that are in the form on the day. */
  async forKeys(manager: EntityManager, keys: number[], today: string): Promise<Map<number, ComputedRow>> {
    const found = new Map<number, ComputedRow>();
    for (let i = 0; i < keys.length; i += 500) {
      for (const row of await this.query(manager, today, (n) => ` AND e.id IN (${keys.slice(i, i + 500).map((_, j) => this.dialect.param(n + j + 1)).join(', ')})`, keys.slice(i, i + 500))) {
        found.set(row.key, row);
      }
    }
    return found;
  }

  /** The form's next rows after a key, in key order (a full reconcile walks the form with it). */
  after(manager: EntityManager, key: number, limit: number, today: string): Promise<ComputedRow[]> {
    return this.query(manager, today, (n) => ` AND e.id > ${this.dialect.param(n + 1)} ORDER BY e.id LIMIT ${Number(limit)}`, [key]);
  }

  private async query(manager: EntityManager, today: string, tail: (paramCount: number) => string, extra: unknown[]): Promise<ComputedRow[]> {
    const { referenceDate, period } = this.dates(today);
    const sql = this.builder.build({ range: this.range, referenceDate, period });
    const select = sql.select.replace(/^SELECT /, 'SELECT g.code AS feed_grid, ');
    const raw: Record<string, unknown>[] = await manager.query(select + tail(sql.params.length), [...sql.params, ...extra]);
    const latest = this.builder.latestVisits(raw.map((r) => Number(r.row_id)));
    if (latest) {
      const visits = new Map(((await manager.query(latest.sql, latest.params)) as Record<string, unknown>[]).map((v) => [Number(v.resident_id), v]));
      for (const r of raw) latest.columns.forEach((c, i) => (r[`v_${c.key}`] = visits.get(Number(r.row_id))?.[`m${i}`] ?? null));
    }
    return raw.map((r) => {
      const all = formatRow(this.def.columns, this.dictionary, r, { rowNumber: 0, referenceDate });
      const values = this.positions.map((p) => normal(all[p]));
      return { key: Number(r.row_id), grid: String(r.feed_grid), values, hash: sha256(values), maskedHash: sha256(this.columns.map((c, i) => this.masked.cell(c, values[i]))) };
    });
  }
}

/** Values as JSON carries them (a Date as its ISO text, undefined as null): what is hashed is what is sent. */
function normal(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return v;
}
