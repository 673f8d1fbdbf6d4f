import fs from 'node:fs';
import path from 'node:path';
import { BackupError, formatBytes, formatCounts, ownerTarget, syncFolder } from '../backup/backup-common.js';
import { cliConfig } from '../backup/backup-config.js';
import { backupPostgres } from '../backup/postgres-backup.js';
import { backupSqlite } from '../backup/sqlite-backup.js';
import { parseOptions, runCli, UsageError } from './cli-context.js';

const OPTIONS = { out: '备份文件（写完才以此名出现）', force: '备份文件已存在时覆盖它' };

const HELP = `用法：npm run backup -- --out 备份文件 [--force]

服务运行时即可备份，得到同一时刻的一致副本，不影响录入。备份哪个数据库与服务相同：
  SQLite（SQLITE_PATH）     SQLite 在线备份，得到一个独立的 SQLite 文件
  PostgreSQL（DATABASE_URL） 调用 pg_dump 自定义格式（-Fc）；有 DATABASE_OWNER_URL 时以表的所有者连接
完成后列出文件大小和每张表的行数。用 npm run restore -- 备份文件 恢复到一个空库。

参数：
${Object.entries(OPTIONS).map(([k, v]) => `  --${k}  ${v}`).join('\n')}`;

// npm run backup -- --out FILE [--force]
await runCli(async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) return void console.log(HELP);
  const o = parseOptions(args, OPTIONS, ['force']);
  if (!o.out) throw new UsageError('须提供 --out 备份文件（npm run backup -- --help 查看说明）');
  const out = path.resolve(o.out);
  if (!fs.existsSync(path.dirname(out))) throw new UsageError(`目录 ${path.dirname(out)} 不存在`);
  if (fs.existsSync(out) && !o.force) throw new BackupError('BACKUP_FILE_EXISTS', `${o.out} 已存在：换一个文件名，或加 --force 覆盖`);
  const db = ownerTarget(cliConfig());
  const partial = `${out}.partial`;
  try {
    const summary = db.kind === 'sqlite' ? await backupSqlite(db.sqlitePath, partial) : await backupPostgres(db, partial);
    fs.renameSync(partial, out); // nothing half-written under the real name
    syncFolder(out);
    console.log(`已写入 ${o.out}（${formatBytes(summary.bytes)}，${db.kind === 'sqlite' ? 'SQLite 在线备份' : 'pg_dump 自定义格式'}），各表行数：`);
    console.log(formatCounts(summary.tables));
    if (summary.chainHead) console.log(`审计日志链尾为第 ${summary.chainHead.id} 条，哈希 ${summary.chainHead.hash}（恢复后核对到的链尾应与此相同）`);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  }
});
