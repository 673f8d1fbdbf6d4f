import fs from 'node:fs';
import path from 'node:path';
import { verifyAuditChain } from '../audit/audit-chain.js';
import { DomainError } from '../common/errors/domain-errors.js';
import { ProgressBar } from '../common/progress.js';
import type { AppConfig } from '../config/app-config.js';
import type { DatabaseTarget } from '../database/row-cursor.js';
import { MIGRATIONS } from '../../migrations/index.js';

export type BackupErrorCode =
  | 'BACKUP_FILE_EXISTS' // --out names an existing file and --force was not given
  | 'NOT_A_BACKUP' // not an SQLite file / pg_dump custom archive, or not a database of ours
  | 'BACKUP_TRUNCATED' // shorter than it says it is, or unreadable part way
  | 'BACKUP_FROM_NEWER_VERSION' // migrations this program does not know
  | 'BACKUP_CHECK_FAILED' // integrity_check or the audit chain failed
  | 'DATABASE_NOT_FOUND' // nothing to back up at SQLITE_PATH
  | 'DATABASE_UNAVAILABLE' // PostgreSQL does not answer or refuses the login
  | 'TARGET_NOT_EMPTY'
  | 'TARGET_IN_USE'
  | 'PG_TOOL_MISSING'
  | 'PG_TOOL_FAILED';

/** A backup or restore that cannot go on, with a stable code and a Chinese message (runCli prints it). */
export class BackupError extends DomainError {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface TableCount {
  table: string;
  rows: number;
}

/** What a restore found in the copy, for the report. */
export interface RestoreReport {
  tables: TableCount[];
  /** A note when the copy is from an older version (the server applies the rest at start). */
  migrationsNote: string | null;
  /** The verified audit chain: its rows and last link (null for a copy from before the chain existed). */
  chain: { rows: number; head: { id: number; hash: string } | null } | null;
}

/** What a backup wrote. */
export interface BackupSummary {
  bytes: number;
  tables: TableCount[];
  /** The audit log's last row and hash in the copy: a restore reports the same when nothing was cut off. */
  chainHead: { id: number; hash: string } | null;
}

/** The chain check shared by both databases; a copy from before the chain (no hash column) is let through with a note. */
export async function checkAuditChain(db: DatabaseTarget, hasChain: boolean): Promise<RestoreReport['chain']> {
  if (!hasChain) return null;
  const bar = new ProgressBar('核对审计日志哈希链', 0);
  const chain = await verifyAuditChain(db, (done, total) => bar.update(done, false, total));
  bar.finish(chain.rows);
  if (!chain.ok) {
    throw new BackupError('BACKUP_CHECK_FAILED', `审计日志的哈希链断开：${chain.firstBroken!.reason}。审计日志被改动过，未恢复`);
  }
  return { rows: chain.rows, head: chain.head };
}

/** Backups and restores connect as the owner of the tables (DATABASE_OWNER_URL), who may read and create them all. */
export function ownerTarget(config: AppConfig): DatabaseTarget {
  const db = config.database;
  return db.kind === 'sqlite' ? db : { ...db, url: db.ownerUrl };
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Row counts of the given tables, through whatever runs a query on the database being looked at. */
export async function countRows(tables: string[], query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<TableCount[]> {
  const counts: TableCount[] = [];
  for (const table of tables) {
    const [row] = await query(`SELECT count(*) AS n FROM ${quoteIdent(table)}`);
    counts.push({ table, rows: Number(row.n) });
  }
  return counts;
}

/** The migration names this program knows, in order. */
export function knownMigrationNames(): string[] {
  return MIGRATIONS.map((m) => (new (m as new () => { name?: string })().name ?? m.name));
}

/**
 * Is the copy one of ours? Its `migrations` table must hold our first migration and nothing we do not know. A copy
 * from an older version is fine: the server applies the missing migrations when it starts on it.
 */
export function checkMigrations(tables: string[], applied: string[]): string | null {
  const known = knownMigrationNames();
  if (!tables.includes('migrations') || !applied.includes(known[0])) {
    throw new BackupError('NOT_A_BACKUP', '这不是一表通的数据库：没有本系统的迁移记录（migrations 表）');
  }
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new BackupError('BACKUP_FROM_NEWER_VERSION', `备份来自更新的版本（本程序不认识的迁移：${unknown.join('、')}），请用相同或更新的版本恢复`);
  }
  const missing = known.filter((name) => !applied.includes(name));
  return missing.length ? `备份来自较早的版本，服务启动时会执行其余 ${missing.length} 个迁移：${missing.join('、')}` : null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The per-table counts as printed by both commands: one "  table  rows" line each (tests read them back). */
export function formatCounts(tables: TableCount[]): string {
  const width = Math.max(...tables.map((t) => t.table.length), 4);
  return tables.map((t) => `  ${t.table.padEnd(width)}  ${String(t.rows).padStart(10)}`).join('\n');
}

/** fsync a file, then its folder after a rename: the finished name is on disk before we say "done". */
export function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function syncFolder(file: string): void {
  const fd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
