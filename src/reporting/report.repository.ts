import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';
import type { CodeRange } from '../access/access-policy.js';

export type ReportStatus = 'submitted' | 'approved' | 'returned';

export interface ReportRecord {
  id: number;
  formCode: string;
  orgUnitCode: string;
  period: string;
  status: ReportStatus;
  submittedById: number | null;
  submittedBy: string | null;
  submittedAt: Date | null;
  /** The first submission: timeliness counts from it, not from a resubmission after a return. */
  firstSubmittedAt: Date | null;
  reviewedById: number | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  returnReason: string | null;
  rowCount: number;
  sha256: string | null;
  snapshotBytes: number;
  version: number;
}

export interface ReportKey {
  formCode: string;
  orgUnitCode: string;
  period: string;
}

const COLUMNS = `id, form_code, org_unit_code, period, status, submitted_by_id, submitted_by, submitted_at, first_submitted_at,
  reviewed_by_id, reviewed_by, reviewed_at, return_reason, row_count, sha256, snapshot_bytes, version`;

/** All SQL on reports: their state, who did what when, and the frozen snapshot (read only when asked for). */
@Injectable()
export class ReportRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** Instants from the app's clock, as each database keeps them (SQLite: ISO text with milliseconds). */
  private instant(d: Date): unknown {
    return this.dialect.postgres ? d : d.toISOString();
  }

  async find(id: number, manager: EntityManager = this.dataSource.manager): Promise<ReportRecord | null> {
    const [row] = await manager.query(`SELECT ${COLUMNS} FROM reports WHERE id = ${this.dialect.param(1)}`, [id]);
    return row ? this.record(row) : null;
  }

  async findByKey(key: ReportKey, manager: EntityManager = this.dataSource.manager): Promise<ReportRecord | null> {
    const p = new Params(this.dialect);
    const [row] = await manager.query(
      `SELECT ${COLUMNS} FROM reports WHERE form_code = ${p.add(key.formCode)} AND org_unit_code = ${p.add(key.orgUnitCode)} AND period = ${p.add(key.period)}`,
      p.values,
    );
    return row ? this.record(row) : null;
  }

  /** Reports of org units within a granted code range for any of the periods. */
  async list(range: CodeRange, periods: string[]): Promise<ReportRecord[]> {
    if (periods.length === 0) return [];
    const p = new Params(this.dialect);
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM reports WHERE org_unit_code >= ${p.add(range.from)} AND org_unit_code < ${p.add(range.to)} AND period IN (${periods.map((x) => p.add(x)).join(', ')}) ORDER BY org_unit_code, form_code`,
      p.values,
    );
    return rows.map((r: Record<string, unknown>) => this.record(r));
  }

  async snapshot(id: number): Promise<Buffer | null> {
    const [row] = await this.dataSource.query(`SELECT snapshot FROM reports WHERE id = ${this.dialect.param(1)}`, [id]);
    return row?.snapshot ? Buffer.from(row.snapshot) : null;
  }

  /** A first submission. */
  async insertSubmitted(manager: EntityManager, key: ReportKey, s: Submission): Promise<number> {
    const p = new Params(this.dialect);
    const at = this.instant(s.at);
    const values = [key.formCode, key.orgUnitCode, key.period, 'submitted', s.byId, s.by, at, at, s.rowCount, s.sha256, s.snapshot, s.snapshot.length, at, at].map((v) => p.add(v));
    const rows = await manager.query(
      `INSERT INTO reports (form_code, org_unit_code, period, status, submitted_by_id, submitted_by, submitted_at, first_submitted_at, row_count, sha256, snapshot, snapshot_bytes, created_at, updated_at)
       VALUES (${values.join(', ')}) RETURNING id`,
      p.values,
    );
    return Number(rows[0].id);
  }

  /** A resubmission (after a return or a reopening): a new snapshot, the review cleared. False if the version moved. */
  async resubmit(manager: EntityManager, id: number, version: number, s: Submission): Promise<boolean> {
    const p = new Params(this.dialect);
    const at = this.instant(s.at);
    const sets = `status = 'submitted', submitted_by_id = ${p.add(s.byId)}, submitted_by = ${p.add(s.by)}, submitted_at = ${p.add(at)},
      reviewed_by_id = NULL, reviewed_by = NULL, reviewed_at = NULL, return_reason = NULL, row_count = ${p.add(s.rowCount)},
      sha256 = ${p.add(s.sha256)}, snapshot = ${p.add(s.snapshot)}, snapshot_bytes = ${p.add(s.snapshot.length)}, version = version + 1, updated_at = ${p.add(at)}`;
    return this.changed(await manager.query(`UPDATE reports SET ${sets} WHERE id = ${p.add(id)} AND version = ${p.add(version)} RETURNING id`, p.values));
  }

  /** Approve, return or reopen: the new state, the reviewer, the reason. False if the version moved. */
  async review(manager: EntityManager, id: number, version: number, r: { status: ReportStatus; byId: number | null; by: string; at: Date; reason: string | null }): Promise<boolean> {
    const p = new Params(this.dialect);
    const at = this.instant(r.at);
    const sets = `status = ${p.add(r.status)}, reviewed_by_id = ${p.add(r.byId)}, reviewed_by = ${p.add(r.by)}, reviewed_at = ${p.add(at)},
      return_reason = ${p.add(r.reason)}, version = version + 1, updated_at = ${p.add(at)}`;
    return this.changed(await manager.query(`UPDATE reports SET ${sets} WHERE id = ${p.add(id)} AND version = ${p.add(version)} RETURNING id`, p.values));
  }

  /** Whether an UPDATE … RETURNING id changed its row (PostgreSQL answers [rows, count], SQLite the rows). */
  private changed(result: unknown[]): boolean {
    return ((this.dialect.postgres ? result[0] : result) as unknown[]).length === 1;
  }

  private record(r: Record<string, unknown>): ReportRecord {
    const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v).includes('T') ? String(v) : `${String(v).replace(' ', 'T')}Z`));
    const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      id: Number(r.id),
      formCode: String(r.form_code),
      orgUnitCode: String(r.org_unit_code),
      period: String(r.period),
      status: r.status as ReportStatus,
      submittedById: int(r.submitted_by_id),
      submittedBy: (r.submitted_by as string | null) ?? null,
      submittedAt: date(r.submitted_at),
      firstSubmittedAt: date(r.first_submitted_at),
      reviewedById: int(r.reviewed_by_id),
      reviewedBy: (r.reviewed_by as string | null) ?? null,
      reviewedAt: date(r.reviewed_at),
      returnReason: (r.return_reason as string | null) ?? null,
      rowCount: Number(r.row_count),
      sha256: (r.sha256 as string | null) ?? null,
      snapshotBytes: Number(r.snapshot_bytes),
      version: Number(r.version),
    };
  }
}

export interface Submission {
  byId: number | null;
  by: string;
  at: Date;
  rowCount: number;
  sha256: string;
  snapshot: Buffer;
}
