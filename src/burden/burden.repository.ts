import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CodeRange } from '../access/access-policy.js';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

/** Where a change came from that a person typed: the page, the API, an import (not the server's own lines: seed, start-up). */
export const TYPED_SOURCES = ['form', 'api', 'import'] as const;

/** Audit actions that write facts into the ledger (refusals, reads, exports and deletions write none). */
export const TYPED_ACTIONS = ['create', 'update', 'reactivate', 'transfer', 'deregister', 'restore'] as const;

/** Records whose facts department forms show (staff are not residents' facts: left out). */
export const TYPED_ENTITIES = ['resident', 'household', 'visit', 'business'] as const;

/** One audit line of typed changes to a record within the unit. */
export interface TypedLine {
  entity: (typeof TYPED_ENTITIES)[number];
  recordId: number;
  source: string;
  changes: { field: string; before: unknown; after: unknown }[];
  /** A visit's resident (a visit's date is that resident's 最近走访日期). */
  visitResident: number | null;
}

/** A form's row as ids: its own record, the resident it concerns, that resident's household. */
export interface MemberRow {
  rowId: number;
  residentId: number | null;
  householdId: number | null;
}

/** All SQL of the burden report: typed changes from the audit log, and forms' rows (their SQL built by the views). */
@Injectable()
export class BurdenRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** SQLite keeps the audit log's instants as ISO text with milliseconds; PostgreSQL as timestamptz. */
  private instant(d: Date): unknown {
    return this.dialect.postgres ? d : d.toISOString();
  }

  /**
   * The audit lines of [from, to) by which people typed facts of records that belong to the unit now (a resident by
   * their grid, a visit by its resident's, a household and a business by theirs). Records deleted since are gone.
   */
  async typedLines(range: CodeRange, from: Date, to: Date): Promise<TypedLine[]> {
    const p = new Params(this.dialect);
    const list = (values: readonly string[]) => values.map((v) => p.add(v)).join(', ');
    const inUnit = (column: string) => `${column} >= ${p.add(range.from)} AND ${column} < ${p.add(range.to)}`;
    const sql = `SELECT a.entity, a.record_id, a.source, a.changes,
        CASE WHEN a.entity = 'visit' THEN (SELECT v.resident_id FROM visits v WHERE v.id = a.record_id) END AS visit_resident
      FROM audit_log a
      WHERE a.at >= ${p.add(this.instant(from))} AND a.at < ${p.add(this.instant(to))}
        AND a.source IN (${list(TYPED_SOURCES)}) AND a.action IN (${list(TYPED_ACTIONS)}) AND a.entity IN (${list(TYPED_ENTITIES)})
        AND a.changes IS NOT NULL
        AND (
          (a.entity = 'resident' AND EXISTS (SELECT 1 FROM residents r WHERE r.id = a.record_id AND ${inUnit('r.grid_code')}))
          OR (a.entity = 'household' AND EXISTS (SELECT 1 FROM households h WHERE h.id = a.record_id AND ${inUnit('h.grid_code')}))
          OR (a.entity = 'visit' AND EXISTS (SELECT 1 FROM visits v JOIN residents r ON r.id = v.resident_id WHERE v.id = a.record_id AND ${inUnit('r.grid_code')}))
          OR (a.entity = 'business' AND EXISTS (SELECT 1 FROM businesses b WHERE b.id = a.record_id AND ${inUnit('b.grid_code')}))
        )
      ORDER BY a.id`;
    const rows: Record<string, unknown>[] = await this.dataSource.query(sql, p.values);
    return rows.map((r) => ({
      entity: String(r.entity) as TypedLine['entity'],
      recordId: Number(r.record_id),
      source: String(r.source),
      changes: JSON.parse(String(r.changes)),
      visitResident: r.visit_resident === null || r.visit_resident === undefined ? null : Number(r.visit_resident),
    }));
  }

  /** A form's rows as ids, from the view's own SQL (ViewsService.membersQuery). */
  async members(query: { sql: string; params: unknown[] }): Promise<MemberRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(query.sql, query.params);
    const id = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return rows.map((r) => ({ rowId: Number(r.row_id), residentId: id(r.resident_id), householdId: id(r.household_id) }));
  }
}
