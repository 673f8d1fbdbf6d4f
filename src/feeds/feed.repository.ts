import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CodeRange } from '../access/access-policy.js';
import { AUDIT_CHAIN_LOCK } from '../audit/audit-chain.js';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

/** A form's feed: the definition its rows were computed with and the day they were computed for. */
export interface FeedForm {
  formCode: string;
  definitionHash: string;
  referenceDate: string;
  periodFrom: string;
}

/** A row of a form as last logged. */
export interface FeedRowState {
  key: number;
  grid: string;
  hash: string;
  maskedHash: string;
}

/** One entry of the log: a row that entered (no grid before), changed, or left (no grid after) a form. */
export interface FeedChange {
  seq: number;
  formCode: string;
  key: number;
  gridBefore: string | null;
  gridAfter: string | null;
  /** Before and after in the form with the same values (only the grid changed): nothing to tell a viewer that sees both. */
  fullSame: boolean;
  /** Before and after in the form, and the values as a viewer without full values sees them did not change. */
  maskedSame: boolean;
  /** The row's values after the change (full), null when it left. */
  values: unknown[] | null;
  at: Date;
}

export type NewFeedChange = Omit<FeedChange, 'seq' | 'at'>;

/** Rows per multi-row statement (SQLite allows 32,766 parameters; 7 per row). */
const INSERT_ROWS = 400;

/**
 * All SQL on the change feed's tables. Writes take the caller's manager (the ledger change's transaction); the
 * sequence is handed out under the audit chain's advisory lock on PostgreSQL (`lock`), so `seq` order is commit
 * order: a reader that sees seq n has seen every committed entry below it.
 */
@Injectable()
export class FeedRepository {
  readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** Serialises feed writers with the audit chain's appenders (held to the end of the transaction). */
  async lock(manager: EntityManager): Promise<void> {
    if (this.dialect.postgres) await manager.query(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  }

  private instant(d: Date): unknown {
    return this.dialect.postgres ? d : d.toISOString();
  }

  async forms(manager: EntityManager = this.dataSource.manager): Promise<FeedForm[]> {
    const rows: Record<string, unknown>[] = await manager.query('SELECT form_code, definition_hash, reference_date, period_from FROM feed_forms');
    return rows.map((r) => ({ formCode: String(r.form_code), definitionHash: String(r.definition_hash), referenceDate: String(r.reference_date), periodFrom: String(r.period_from) }));
  }

  async saveForm(manager: EntityManager, form: FeedForm): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(
      `INSERT INTO feed_forms (form_code, definition_hash, reference_date, period_from, updated_at)
       VALUES (${p.add(form.formCode)}, ${p.add(form.definitionHash)}, ${p.add(form.referenceDate)}, ${p.add(form.periodFrom)}, ${p.add(this.instant(new Date()))})
       ON CONFLICT (form_code) DO UPDATE SET definition_hash = excluded.definition_hash, reference_date = excluded.reference_date,
         period_from = excluded.period_from, updated_at = excluded.updated_at`,
      p.values,
    );
  }

  /** The stored state of some rows of a form. */
  async rows(manager: EntityManager, formCode: string, keys: number[]): Promise<Map<number, FeedRowState>> {
    const found = new Map<number, FeedRowState>();
    for (let i = 0; i < keys.length; i += 500) {
      const p = new Params(this.dialect);
      const form = p.add(formCode);
      const list = keys.slice(i, i + 500).map((k) => p.add(k)).join(', ');
      const rows: Record<string, unknown>[] = await manager.query(`SELECT row_key, grid_code, hash, masked_hash FROM feed_rows WHERE form_code = ${form} AND row_key IN (${list})`, p.values);
      for (const r of rows) found.set(Number(r.row_key), { key: Number(r.row_key), grid: String(r.grid_code), hash: String(r.hash), maskedHash: String(r.masked_hash) });
    }
    return found;
  }

  /** Keys of a form's stored rows in (after, upTo] (upTo null: no end), in key order: a full reconcile walks them. */
  async keysBetween(manager: EntityManager, formCode: string, after: number, upTo: number | null): Promise<number[]> {
    // Placeholders in the order they appear (SQLite's are positional).
    const ordered = new Params(this.dialect);
    const text = `SELECT row_key FROM feed_rows WHERE form_code = ${ordered.add(formCode)} AND row_key > ${ordered.add(after)}${upTo === null ? '' : ` AND row_key <= ${ordered.add(upTo)}`} ORDER BY row_key`;
    return ((await manager.query(text, ordered.values)) as Record<string, unknown>[]).map((r) => Number(r.row_key));
  }

  /** Appends entries (in the given order) and brings the stored rows up to date. */
  async append(manager: EntityManager, changes: NewFeedChange[], hashes: Map<number, { hash: string; maskedHash: string }>): Promise<void> {
    const at = this.instant(new Date());
    for (let i = 0; i < changes.length; i += INSERT_ROWS) {
      const chunk = changes.slice(i, i + INSERT_ROWS);
      const p = new Params(this.dialect);
      const values = chunk.map((c) => `(${[c.formCode, c.key, c.gridBefore, c.gridAfter, this.dialect.bool(c.fullSame), this.dialect.bool(c.maskedSame), c.values === null ? null : JSON.stringify(c.values), at].map((v) => p.add(v)).join(', ')})`);
      await manager.query(`INSERT INTO feed_changes (form_code, row_key, grid_before, grid_after, full_same, masked_same, row_values, at) VALUES ${values.join(', ')}`, p.values);
    }
    const gone = changes.filter((c) => c.gridAfter === null);
    const kept = changes.filter((c) => c.gridAfter !== null);
    for (let i = 0; i < gone.length; i += 500) {
      const p = new Params(this.dialect);
      const form = p.add(gone[0].formCode);
      await manager.query(`DELETE FROM feed_rows WHERE form_code = ${form} AND row_key IN (${gone.slice(i, i + 500).map((c) => p.add(c.key)).join(', ')})`, p.values);
    }
    for (let i = 0; i < kept.length; i += INSERT_ROWS) {
      const p = new Params(this.dialect);
      const values = kept.slice(i, i + INSERT_ROWS).map((c) => `(${[c.formCode, c.key, c.gridAfter, hashes.get(c.key)!.hash, hashes.get(c.key)!.maskedHash].map((v) => p.add(v)).join(', ')})`);
      await manager.query(
        `INSERT INTO feed_rows (form_code, row_key, grid_code, hash, masked_hash) VALUES ${values.join(', ')}
         ON CONFLICT (form_code, row_key) DO UPDATE SET grid_code = excluded.grid_code, hash = excluded.hash, masked_hash = excluded.masked_hash`,
        p.values,
      );
    }
  }

  /** The highest entry committed: every entry up to it is visible to whoever reads after this. */
  async head(): Promise<number> {
    const [row] = await this.dataSource.query('SELECT MAX(seq) AS seq FROM feed_changes');
    return Number(row?.seq ?? 0);
  }

  /**
   * Entries of a form after `after` that concern a range (the row was in it before, or is now), in order, at most
   * `limit`; `upTo` bounds them (a webhook's batch is re-read exactly).
   */
  async page(formCode: string, range: CodeRange, after: number, limit: number, upTo: number | null = null): Promise<FeedChange[]> {
    const p = new Params(this.dialect);
    const form = p.add(formCode);
    const from = p.add(after);
    const end = upTo === null ? '' : ` AND seq <= ${p.add(upTo)}`;
    const inRange = (column: string) => `(${column} >= ${p.add(range.from)} AND ${column} < ${p.add(range.to)})`;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT seq, form_code, row_key, grid_before, grid_after, full_same, masked_same, row_values, at FROM feed_changes
        WHERE form_code = ${form} AND seq > ${from}${end} AND (${inRange('grid_before')} OR ${inRange('grid_after')})
        ORDER BY seq LIMIT ${Number(limit)}`,
      p.values,
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      formCode: String(r.form_code),
      key: Number(r.row_key),
      gridBefore: (r.grid_before as string | null) ?? null,
      gridAfter: (r.grid_after as string | null) ?? null,
      fullSame: truthy(r.full_same),
      maskedSame: truthy(r.masked_same),
      values: typeof r.row_values === 'string' ? JSON.parse(r.row_values) : null,
      at: r.at instanceof Date ? r.at : new Date(String(r.at)),
    }));
  }
}

const truthy = (v: unknown) => v === true || v === 1 || v === '1';
