import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { ProgressBar } from '../common/progress.js';
import {
  BackupError, type BackupSummary, checkAuditChain, checkMigrations, countRows, formatBytes, type RestoreReport, syncFile, syncFolder,
} from './backup-common.js';

const MAGIC = 'SQLite format 3\0';
/** Pages per step of the online backup (4 MB at 4 KB pages): a moving progress bar without thousands of steps. */
const PAGES_PER_STEP = 1024;
const SIDECARS = ['-wal', '-shm', '-journal'];

const tableNames = (db: Database.Database) =>
  db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).pluck().all() as string[];
const rowCounts = (db: Database.Database) => countRows(tableNames(db), async (sql) => [db.prepare(sql).get() as Record<string, unknown>]);
const hasChain = (db: Database.Database) => (db.prepare(`SELECT name FROM pragma_table_info('audit_log')`).pluck().all() as string[]).includes('hash');

/**
 * Copies the live database at `source` to `partial` with SQLite's online backup, from a connection of its own, while
 * the server goes on writing; the caller renames `partial` when this returns.
 */
export async function backupSqlite(source: string, partial: string): Promise<BackupSummary> {
  if (!fs.existsSync(source)) throw new BackupError('DATABASE_NOT_FOUND', `找不到数据库文件 ${source}（SQLITE_PATH）`);
  fs.rmSync(partial, { force: true }); // a left-over would be backed up into, not replaced
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // One read transaction over every step: WAL keeps this snapshot while others commit, so the copy is of one
    // instant and the backup never starts over (it would, each step, if the source changed under it).
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const bar = new ProgressBar('备份 SQLite', 0, formatBytes);
    await db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        bar.update((totalPages - remainingPages) * pageSize, false, totalPages * pageSize);
        return PAGES_PER_STEP;
      },
    });
    bar.finish();
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  const copy = new Database(partial, { fileMustExist: true });
  try {
    // The backup is one self-contained file (rollback journal, nothing beside it); the server turns WAL back on.
    copy.pragma('journal_mode = DELETE');
    const tables = await rowCounts(copy);
    const head = hasChain(copy) ? (copy.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined) : undefined;
    syncFile(partial);
    return { bytes: fs.statSync(partial).size, tables, chainHead: head ?? null };
  } finally {
    copy.close();
  }
}

/**
 * Loads the backup `file` into `target`, which must not exist or hold no tables. The copy is made and checked under
 * a temporary name beside the target and renamed only when every check passed: nothing half-restored is left.
 */
export async function restoreSqlite(file: string, target: string): Promise<RestoreReport> {
  checkHeader(file);
  checkEmptyTarget(target);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.restoring-${process.pid}`);
  try {
    removeWithSidecars(temp);
    await copyWithProgress(file, temp);
    const report = await checkCopy(temp);
    removeWithSidecars(temp, false); // a read-only check may leave an empty -shm
    syncFile(temp);
    removeWithSidecars(target); // empty (checked above), and a stale -wal must never be replayed onto the copy
    fs.renameSync(temp, target);
    syncFolder(target);
    return report;
  } catch (e) {
    removeWithSidecars(temp);
    throw e;
  }
}

/** Foreign and truncated files, from the 100-byte header alone (https://www.sqlite.org/fileformat.html). */
export function checkHeader(file: string): void {
  const size = fs.statSync(file).size;
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  const n = fs.readSync(fd, header, 0, 100, 0);
  fs.closeSync(fd);
  if (header.subarray(0, 5).toString('latin1') === 'PGDMP') {
    throw new BackupError('NOT_A_BACKUP', '这是 PostgreSQL 的备份（pg_dump 归档），请设置 DATABASE_URL 后恢复到 PostgreSQL');
  }
  if (n < MAGIC.length || header.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) {
    throw new BackupError('NOT_A_BACKUP', `${path.basename(file)} 不是 SQLite 数据库文件，不是一表通的备份`);
  }
  if (n < 100) throw new BackupError('BACKUP_TRUNCATED', `备份文件不完整：只有 ${n} 字节，连 SQLite 文件头都不完整`);
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = header.readUInt32BE(28);
  // The page count is trustworthy only when written by the same change as the change counter.
  const pagesKnown = header.readUInt32BE(92) === header.readUInt32BE(24);
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new BackupError('NOT_A_BACKUP', `SQLite 文件头已损坏（页大小 ${raw}）`);
  if (size % pageSize !== 0 || (pagesKnown && size < pages * pageSize)) {
    const expected = pagesKnown ? `文件头记录 ${pages} 页共 ${formatBytes(pages * pageSize)}，` : '';
    throw new BackupError('BACKUP_TRUNCATED', `备份文件不完整：${expected}文件只有 ${formatBytes(size)}（复制或传输被中断？）`);
  }
}

function checkEmptyTarget(target: string): void {
  if (!fs.existsSync(target)) return;
  let tables: string[];
  try {
    // A normal connection sees what is still in the -wal, and closing it as the last one merges and removes it.
    const db = new Database(target, { fileMustExist: true });
    try {
      tables = tableNames(db);
    } finally {
      db.close();
    }
  } catch (e) {
    throw new BackupError('TARGET_NOT_EMPTY', `目标 ${target} 已存在且不是 SQLite 数据库（${(e as Error).message}）：请换一个 SQLITE_PATH 或移走该文件`);
  }
  if (tables.length) {
    throw new BackupError('TARGET_NOT_EMPTY', `目标数据库 ${target} 不是空的（有 ${tables.length} 张表）：恢复只写入空数据库，请换一个 SQLITE_PATH 或先移走该文件`);
  }
  if ((fs.statSync(`${target}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0) {
    throw new BackupError('TARGET_IN_USE', `目标数据库 ${target} 正被其他程序打开：请先停止服务再恢复`);
  }
}

async function copyWithProgress(from: string, to: string): Promise<void> {
  const bar = new ProgressBar(`复制 ${path.basename(from)}`, fs.statSync(from).size, formatBytes);
  let done = 0;
  const input = fs.createReadStream(from);
  input.on('data', (chunk) => bar.update((done += chunk.length)));
  await pipeline(input, fs.createWriteStream(to, { flags: 'wx' }));
  bar.finish();
}

/** integrity_check, that it is ours (migrations), the row counts, then the audit chain. */
async function checkCopy(temp: string): Promise<RestoreReport> {
  const db = new Database(temp, { fileMustExist: true });
  let tables: RestoreReport['tables'];
  let migrationsNote: string | null;
  let chained: boolean;
  try {
    // A copy of a WAL-mode file becomes one file too; this is also the first read of the whole header.
    db.pragma('journal_mode = DELETE');
    const result = db.pragma('integrity_check') as { integrity_check: string }[];
    if (result.length !== 1 || result[0].integrity_check !== 'ok') {
      const first = result.slice(0, 3).map((r) => r.integrity_check).join('；');
      throw new BackupError('BACKUP_CHECK_FAILED', `备份文件已损坏或不完整（integrity_check 发现 ${result.length} 处问题，例如：${first}）`);
    }
    const names = tableNames(db);
    const applied = names.includes('migrations') ? (db.prepare('SELECT name FROM migrations ORDER BY id').pluck().all() as string[]) : [];
    migrationsNote = checkMigrations(names, applied);
    tables = await rowCounts(db);
    chained = hasChain(db);
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError('BACKUP_CHECK_FAILED', `备份文件已损坏或不完整（SQLite：${(e as Error).message}）`);
  } finally {
    db.close();
  }
  const chain = await checkAuditChain({ kind: 'sqlite', sqlitePath: temp }, chained);
  return { tables, migrationsNote, chain };
}

function removeWithSidecars(file: string, main = true): void {
  for (const suffix of [...(main ? [''] : []), ...SIDECARS]) fs.rmSync(`${file}${suffix}`, { force: true });
}
