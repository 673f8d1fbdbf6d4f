import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProgressBar } from '../common/progress.js';
import { pg } from '../database/pg-types.js';
import type { DatabaseTarget } from '../database/row-cursor.js';
import { BackupError, type BackupSummary, checkAuditChain, checkMigrations, countRows, type RestoreReport, syncFile } from './backup-common.js';
import { PgToolFailure, runPgTool } from './pg-tools.js';

type PostgresTarget = Extract<DatabaseTarget, { kind: 'postgres' }>;
type Query = (sql: string) => Promise<Record<string, unknown>[]>;

const TABLES_SQL = `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`;
/** The archive's entries for the public schema itself: the target's own schema stays as it is. */
const PUBLIC_SCHEMA_ENTRY = /^\d+; \d+ \d+ (SCHEMA - public|COMMENT - SCHEMA public|ACL - SCHEMA public) /;
const TRUNCATED = /end of file|could not read|uncompress|decompress|corrupt|unexpected end/i;

async function withClient<T>(url: string, work: (query: Query) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((e: Error) => {
    throw new BackupError('DATABASE_UNAVAILABLE', `无法连接 PostgreSQL（${e.message}）：请检查 DATABASE_URL、DATABASE_OWNER_URL`);
  });
  try {
    return await work(async (sql) => (await client.query(sql)).rows);
  } finally {
    await client.end();
  }
}

const tableNames = async (query: Query) => (await query(TABLES_SQL)).map((r) => String(r.tablename));
const hasChain = async (query: Query) =>
  (await query(`SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'audit_log' AND column_name = 'hash'`)).length > 0;

/**
 * pg_dump in its custom format (-Fc) to `partial`, reading the snapshot of a transaction of ours: the row counts
 * printed are exactly those in the archive, whatever the server writes meanwhile.
 */
export async function backupPostgres(db: PostgresTarget, partial: string): Promise<BackupSummary> {
  fs.rmSync(partial, { force: true });
  return withClient(db.url, async (query) => {
    await query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [{ snapshot }] = await query('SELECT pg_export_snapshot() AS snapshot');
    const tables = await countRows(await tableNames(query), query);
    const [head] = (await hasChain(query)) ? await query('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1') : [];
    const rowsOf = new Map(tables.map((t) => [t.table, t.rows]));
    const total = tables.reduce((sum, t) => sum + t.rows, 0);
    const bar = new ProgressBar('备份 PostgreSQL', total);
    let done = 0;
    let current = 0;
    // pg_dump --verbose names each table as it starts on its rows: the bar moves a table at a time.
    const onLine = (line: string) => {
      const m = /dumping contents of table "public\.(.+)"$/.exec(line);
      if (!m) return;
      done += current;
      current = rowsOf.get(m[1]) ?? 0;
      bar.update(done);
    };
    await runPgTool('pg_dump', ['--format=custom', `--snapshot=${String(snapshot)}`, '--verbose', `--file=${partial}`], { url: db.url, onLine });
    bar.finish(total);
    await query('COMMIT');
    syncFile(partial);
    return { bytes: fs.statSync(partial).size, tables, chainHead: head ? { id: Number(head.id), hash: String(head.hash) } : null };
  });
}

/**
 * pg_restore into the target database, which must have no tables in public, in one transaction (a truncated
 * archive fails and leaves nothing), then the checks; when a check fails, what was restored is dropped again.
 */
export async function restorePostgres(file: string, db: PostgresTarget): Promise<RestoreReport> {
  checkArchiveMagic(file);
  let list: string;
  try {
    list = await runPgTool('pg_restore', ['--list', file]);
  } catch (e) {
    if (e instanceof PgToolFailure) throw new BackupError('BACKUP_TRUNCATED', `备份文件不完整或已损坏，读不出其目录（${e.errors.join('；')}）`);
    throw e;
  }
  const entries = list.split('\n').filter((line) => line.trim() && !line.startsWith(';'));
  if (!entries.some((line) => / TABLE public migrations /.test(line))) {
    throw new BackupError('NOT_A_BACKUP', '这个 pg_dump 归档不是一表通的数据库：其中没有本系统的迁移记录（migrations 表）');
  }
  const before = await withClient(db.url, async (query) => {
    const [{ n }] = await query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    if (Number(n) > 0) {
      const [{ name }] = await query('SELECT current_database() AS name');
      throw new BackupError('TARGET_NOT_EMPTY', `目标数据库 ${String(name)} 不是空的（public 模式里有 ${n} 张表）：恢复只写入空数据库，请先 createdb 一个新库`);
    }
    return publicObjects(query);
  });
  const kept = entries.filter((line) => !PUBLIC_SCHEMA_ENTRY.test(line));
  const listFile = path.join(os.tmpdir(), `ybt-restore-${process.pid}.list`);
  fs.writeFileSync(listFile, `${kept.join('\n')}\n`);
  const bar = new ProgressBar('恢复 PostgreSQL', kept.length, (n) => `${n} 项`);
  let done = 0;
  try {
    // Owned by the role restoring (the owner), no grants from the source cluster (its app role may be named
    // otherwise): the server grants its own role what it needs when it starts (owner-migrations.ts).
    await runPgTool('pg_restore', ['--single-transaction', '--exit-on-error', '--no-owner', '--no-acl', '--verbose', `--use-list=${listFile}`, file], {
      url: db.url,
      onLine: (line) => {
        if (/^pg_restore: (creating|processing data|executing) /.test(line)) bar.update(++done);
      },
    });
  } catch (e) {
    if (!(e instanceof PgToolFailure)) throw e;
    const truncated = e.errors.some((line) => TRUNCATED.test(line));
    const what = truncated ? '备份文件不完整或已损坏' : '恢复失败';
    throw new BackupError(truncated ? 'BACKUP_TRUNCATED' : 'PG_TOOL_FAILED', `${what}（${e.errors.join('；')}）。已整体回滚，目标数据库仍是空的`);
  } finally {
    fs.rmSync(listFile, { force: true });
  }
  bar.finish();
  try {
    return await checkRestored(db);
  } catch (e) {
    try {
      await dropRestored(db.url, before);
    } catch (dropError) {
      const why = e instanceof Error ? e.message : String(e);
      throw new BackupError('BACKUP_CHECK_FAILED', `${why}；清除已恢复的内容时又出错（${(dropError as Error).message}），请手动清空该库`);
    }
    throw e;
  }
}

function checkArchiveMagic(file: string): void {
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  const n = fs.readSync(fd, head, 0, 16, 0);
  fs.closeSync(fd);
  const text = head.subarray(0, n).toString('latin1');
  if (text.startsWith('SQLite format 3')) throw new BackupError('NOT_A_BACKUP', '这是 SQLite 的备份，请不设 DATABASE_URL、用 SQLITE_PATH 指定目标后恢复');
  if (!text.startsWith('PGDMP')) {
    throw new BackupError('NOT_A_BACKUP', `${path.basename(file)} 不是 pg_dump 自定义格式（-Fc）的归档，不是一表通的备份`);
  }
}

/** It is ours (migrations), the row counts, then the audit chain, on a connection of their own. */
async function checkRestored(db: PostgresTarget): Promise<RestoreReport> {
  const found = await withClient(db.url, async (query) => {
    const names = await tableNames(query);
    const applied = names.includes('migrations') ? (await query('SELECT name FROM migrations ORDER BY id')).map((r) => String(r.name)) : [];
    const migrationsNote = checkMigrations(names, applied);
    return { tables: await countRows(names, query), migrationsNote, chained: await hasChain(query) };
  });
  const chain = await checkAuditChain(db, found.chained);
  return { tables: found.tables, migrationsNote: found.migrationsNote, chain };
}

/** What is in the public schema (relations, routines, types), by oid: what was there before a restore stays. */
async function publicObjects(query: Query): Promise<Set<string>> {
  const rows = await query(`SELECT 'c' || oid AS key FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'p' || oid FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 't' || oid FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd')`);
  return new Set(rows.map((r) => String(r.key)));
}

/** Drops, in one transaction, everything in public that was not there before the restore. */
async function dropRestored(url: string, before: Set<string>): Promise<void> {
  await withClient(url, async (query) => {
    await query('BEGIN');
    await query('SET LOCAL search_path TO public'); // the names below are read and dropped in public, nowhere else
    const added = async (sql: string) => (await query(sql)).filter((r) => !before.has(String(r.key))).map((r) => String(r.name));
    // Tables first: their indexes, triggers and owned sequences go with them.
    for (const name of await added(`SELECT 'c' || oid AS key, oid::regclass::text AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')`)) {
      await query(`DROP TABLE IF EXISTS ${name} CASCADE`);
    }
    const kinds: Record<string, string> = { v: 'VIEW', m: 'MATERIALIZED VIEW', S: 'SEQUENCE', f: 'FOREIGN TABLE' };
    for (const [kind, what] of Object.entries(kinds)) {
      for (const name of await added(`SELECT 'c' || oid AS key, oid::regclass::text AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = '${kind}'`)) {
        await query(`DROP ${what} IF EXISTS ${name} CASCADE`);
      }
    }
    for (const name of await added(`SELECT 'p' || oid AS key, oid::regprocedure::text AS name FROM pg_proc WHERE pronamespace = 'public'::regnamespace`)) {
      await query(`DROP ROUTINE IF EXISTS ${name} CASCADE`);
    }
    for (const name of await added(`SELECT 't' || oid AS key, oid::regtype::text AS name FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd')`)) {
      await query(`DROP TYPE IF EXISTS ${name} CASCADE`);
    }
    await query('COMMIT');
  });
}
