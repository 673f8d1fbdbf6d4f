import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work.js';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';
import { AUDIT_CHAIN_LOCK, chainHash, type ChainedRow, GENESIS_HASH } from './audit-chain.js';

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
  /** Actions left out (a record's history leaves out the refusals others met asking for it). */
  exceptActions?: string[];
  limit: number;
}

/** All SQL on the audit log: append and read, never update or delete (the database refuses those too). */
@Injectable()
export class AuditRepository {
  private readonly dialect: SqlDialect;

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  private instant(d: Date): unknown {
    // SQLite keeps the log's instants as ISO text with milliseconds (sortable); PostgreSQL as timestamptz.
    return this.dialect.postgres ? d : d.toISOString();
  }

  /**
   * Appends entries as the next links of the hash chain (audit-chain.ts), a few hundred per statement (an import
   * writes one per record). With `manager` they commit or roll back with the caller's transaction; without, in a
   * transaction of their own.
   */
  async append(entries: AuditEntry[], manager?: EntityManager): Promise<void> {
    if (entries.length === 0) return;
    // Alone (reads, exports, logins): nothing the caller reads back, so no read-your-writes mark (UnitOfWork).
    if (!manager) return this.unitOfWork.run((m) => this.append(entries, m), { bookkeeping: true });
    // Milliseconds from here, not the database's clock: the hash must read the same instant on both databases.
    const at = new Date();
    let prev = await this.chainEnd(manager);
    for (let start = 0; start < entries.length; start += 500) {
      const batch = entries.slice(start, start + 500);
      const ids = await this.nextIds(manager, batch.length, prev.id);
      const p = new Params(this.dialect);
      const tuples = batch.map((e, i) => {
        const row: ChainedRow = {
          id: ids[i], at, account_id: e.accountId, username: e.username, role: e.role, source: e.source, request_id: e.requestId.slice(0, 64),
          action: e.action, entity: e.entity, record_id: e.recordId, changes: e.changes ? JSON.stringify(e.changes) : null,
          filter: e.filter ? JSON.stringify(e.filter) : null, row_count: e.rowCount,
        };
        const hash = chainHash(prev.hash, row);
        const values = [
          row.id, this.instant(at), row.account_id, row.username, row.role, row.source, row.request_id, row.action, row.entity, row.record_id,
          row.changes, row.filter, row.row_count, prev.hash, hash,
        ];
        prev = { id: ids[i], hash };
        return `(${values.map((v) => p.add(v)).join(', ')})`;
      });
      await manager.query(
        `INSERT INTO audit_log (id, at, account_id, username, role, source, request_id, action, entity, record_id, changes, filter, row_count, prev_hash, hash) VALUES ${tuples.join(', ')}`,
        p.values,
      );
    }
  }

  /**
   * The chain's last link. On PostgreSQL the advisory lock, held to the end of the transaction, makes appenders
   * (in any server process) take turns, so ids and chain order agree; SQLite's writer already writes alone.
   */
  private async chainEnd(manager: EntityManager): Promise<{ id: number; hash: string }> {
    if (this.dialect.postgres) await manager.query(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const [last] = await manager.query('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    return last ? { id: Number(last.id), hash: String(last.hash) } : { id: 0, hash: GENESIS_HASH };
  }

  /** Ids for `count` new rows, in order: from the sequence on PostgreSQL, after the highest ever used on SQLite. */
  private async nextIds(manager: EntityManager, count: number, lastId: number): Promise<number[]> {
    if (this.dialect.postgres) {
      const rows: { id: unknown }[] = await manager.query(
        `SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id FROM generate_series(1, $1) ORDER BY 1`, [count]);
      return rows.map((r) => Number(r.id));
    }
    const [seq] = await manager.query(`SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'`);
    const first = Math.max(lastId, Number(seq?.seq ?? 0)) + 1;
    return Array.from({ length: count }, (_, i) => first + i);
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
    if (q.exceptActions?.length) where.push(`action NOT IN (${q.exceptActions.map((a) => p.add(a)).join(', ')})`);
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
