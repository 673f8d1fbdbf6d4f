import { gunzipSync, gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';
import type { ImportSummary, RowOutcome } from './import.types.js';

export type ImportStatus = 'preview' | 'committed';

export interface ImportRecord {
  id: number;
  sha256: string;
  formCode: string;
  orgUnitCode: string;
  fileName: string;
  accountId: number | null;
  username: string;
  status: ImportStatus;
  summary: ImportSummary;
  committedRows: number | null;
  createdAt: Date;
  committedAt: Date | null;
}

/** All SQL on imports: the file, its hash, the previewed outcome (gzipped JSON) and whether it was committed. */
@Injectable()
export class ImportRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** A stored preview; `manager` is a transaction's (UnitOfWork.run): writes go nowhere else. */
  async insert(manager: EntityManager, values: Omit<ImportRecord, 'id' | 'createdAt' | 'committedAt' | 'committedRows' | 'status'> & { file: Buffer; outcome: RowOutcome[] }): Promise<number> {
    const p = new Params(this.dialect);
    const list = [
      values.sha256, values.formCode, values.orgUnitCode, values.fileName.slice(0, 255), values.file, values.accountId, values.username, 'preview',
      JSON.stringify(values.summary), gzipSync(JSON.stringify(values.outcome)),
    ].map((v) => p.add(v));
    const rows = await manager.query(
      `INSERT INTO imports (sha256, form_code, org_unit_code, file_name, file, account_id, username, status, summary, outcome) VALUES (${list.join(', ')}) RETURNING id`,
      p.values,
    );
    return Number(rows[0].id);
  }

  async find(id: number, manager: EntityManager = this.dataSource.manager): Promise<ImportRecord | null> {
    const [row] = await manager.query(
      `SELECT id, sha256, form_code, org_unit_code, file_name, account_id, username, status, summary, committed_rows, created_at, committed_at FROM imports WHERE id = ${this.dialect.param(1)}`,
      [id],
    );
    return row ? this.record(row) : null;
  }

  async file(id: number, manager: EntityManager = this.dataSource.manager): Promise<Buffer> {
    const [row] = await manager.query(`SELECT file FROM imports WHERE id = ${this.dialect.param(1)}`, [id]);
    return Buffer.from(row.file);
  }

  async outcome(id: number): Promise<RowOutcome[]> {
    const [row] = await this.dataSource.query(`SELECT outcome FROM imports WHERE id = ${this.dialect.param(1)}`, [id]);
    return JSON.parse(gunzipSync(Buffer.from(row.outcome)).toString('utf8'));
  }

  /** The last committed import of the same file for the same form and org unit. */
  async committedTwin(sha256: string, formCode: string, orgUnitCode: string): Promise<ImportRecord | null> {
    const p = this.dialect.param;
    const [row] = await this.dataSource.query(
      `SELECT id, sha256, form_code, org_unit_code, file_name, account_id, username, status, summary, committed_rows, created_at, committed_at FROM imports
        WHERE org_unit_code = ${p(1)} AND form_code = ${p(2)} AND sha256 = ${p(3)} AND status = 'committed' ORDER BY id DESC LIMIT 1`,
      [orgUnitCode, formCode, sha256],
    );
    return row ? this.record(row) : null;
  }

  /** Marks an import committed, once: false if it already was (a second commit of the same preview). */
  async markCommitted(manager: EntityManager, id: number, rows: number): Promise<boolean> {
    const p = new Params(this.dialect);
    const result = await manager.query(
      `UPDATE imports SET status = 'committed', committed_rows = ${p.add(rows)}, committed_at = ${p.add(this.dialect.postgres ? new Date() : new Date().toISOString())}
        WHERE id = ${p.add(id)} AND status = 'preview' RETURNING id`,
      p.values,
    );
    return (this.dialect.postgres ? result[0] : result).length === 1;
  }

  private record(r: Record<string, unknown>): ImportRecord {
    const instant = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
    return {
      id: Number(r.id),
      sha256: String(r.sha256),
      formCode: String(r.form_code),
      orgUnitCode: String(r.org_unit_code),
      fileName: String(r.file_name),
      accountId: r.account_id === null ? null : Number(r.account_id),
      username: String(r.username),
      status: r.status as ImportStatus,
      summary: JSON.parse(String(r.summary)),
      committedRows: r.committed_rows === null ? null : Number(r.committed_rows),
      createdAt: instant(r.created_at)!,
      committedAt: instant(r.committed_at),
    };
  }
}
