import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

/** One line of the audit log, as written. `changes` and `filter` are JSON. */
export interface AuditEntry {
  accountId: number | null;
  username: string;
  role: string;
  source: string;
  requestId: string;
  /** create, update, delete, reveal, export, import, login, login_failed, … */
  action: string;
  entity: string | null;
  recordId: number | null;
  changes: { field: string; before: unknown; after: unknown }[] | null;
  filter: Record<string, unknown> | null;
  rowCount: number | null;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: Date;
}

export interface AuditQuery {
  accountId?: number | null;
  action?: string | null;
  entity?: string | null;
  recordId?: number | null;
  from?: Date | null;
  to?: Date | null;
  /** Entries with an id below this (paging backwards from the newest). */
  beforeId?: number | null;
  limit: number;
}

/** All SQL on the audit log: append and read, never update or delete (the database refuses those too). */
@Injectable()
export class AuditRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  private instant(d: Date): unknown {
    // SQLite keeps the log's instants as ISO text with milliseconds (sortable); PostgreSQL as timestamptz.
    return this.dialect.postgres ? d : d.toISOString();
  }

  /** Appends entries, a few hundred per statement (an import writes one per record). */
  async append(entries: AuditEntry[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    const now = this.instant(new Date());
    for (let start = 0; start < entries.length; start += 500) {
      const p = new Params(this.dialect);
      const tuples = entries.slice(start, start + 500).map((e) => {
        const values = [
          now, e.accountId, e.username, e.role, e.source, e.requestId.slice(0, 64), e.action, e.entity, e.recordId,
          e.changes ? JSON.stringify(e.changes) : null, e.filter ? JSON.stringify(e.filter) : null, e.rowCount,
        ];
        return `(${values.map((v) => p.add(v)).join(', ')})`;
      });
      await manager.query(
        `INSERT INTO audit_log (at, account_id, username, role, source, request_id, action, entity, record_id, changes, filter, row_count) VALUES ${tuples.join(', ')}`,
        p.values,
      );
    }
  }

  async find(q: AuditQuery): Promise<AuditRecord[]> {
    const p = new Params(this.dialect);
    const where: string[] = [];
    if (q.accountId != null) where.push(`account_id = ${p.add(q.accountId)}`);
    if (q.action) where.push(`action = ${p.add(q.action)}`);
    if (q.entity) where.push(`entity = ${p.add(q.entity)}`);
    if (q.recordId != null) where.push(`record_id = ${p.add(q.recordId)}`);
    if (q.from) where.push(`at >= ${p.add(this.instant(q.from))}`);
    if (q.to) where.push(`at < ${p.add(this.instant(q.to))}`);
    if (q.beforeId) where.push(`id < ${p.add(q.beforeId)}`);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${Number(q.limit)}`,
      p.values,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: new Date(String(r.at instanceof Date ? r.at.toISOString() : r.at)),
      accountId: r.account_id === null ? null : Number(r.account_id),
      username: String(r.username),
      role: String(r.role),
      source: String(r.source),
      requestId: String(r.request_id),
      action: String(r.action),
      entity: (r.entity as string | null) ?? null,
      recordId: r.record_id === null ? null : Number(r.record_id),
      changes: r.changes ? JSON.parse(String(r.changes)) : null,
      filter: r.filter ? JSON.parse(String(r.filter)) : null,
      rowCount: r.row_count === null ? null : Number(r.row_count),
    }));
  }
}
