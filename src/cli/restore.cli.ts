import fs from 'node:fs';
import path from 'node:path';
import { formatCounts, ownerTarget } from '../backup/backup-common.js';
import { cliConfig } from '../backup/backup-config.js';
import { splitPassword } from '../backup/pg-tools.js';
import { restorePostgres } from '../backup/postgres-backup.js';
import { restoreSqlite } from '../backup/sqlite-backup.js';
import { parseOptions, runCli, UsageError } from './cli-context.js';

const HELP = `用法：npm run restore -- 备份文件

把 npm run backup 的备份恢复到一个空库（先停止使用该库的服务）。目标与服务相同：
  SQLite（SQLITE_PATH）     该文件须不存在或没有任何表；先在旁边的临时文件里恢复并检查，全部通过才改名为 SQLITE_PATH
  PostgreSQL（DATABASE_URL） 该库 public 模式里须没有表；pg_restore 在一个事务里恢复，检查不通过则删除恢复的全部内容
恢复后检查并列出：每张表的行数；SQLite 的 PRAGMA integrity_check；是本系统的数据库（migrations 表里是本系统的迁移）；
审计日志的哈希链完整。截断、损坏或不是本系统备份的文件一律拒绝，不留下恢复了一半的库。`;

// npm run restore -- FILE
await runCli(async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) return void console.log(HELP);
  const files = args.filter((a) => !a.startsWith('--'));
  parseOptions(args.filter((a) => a.startsWith('--')), {});
  if (files.length !== 1) throw new UsageError('须提供一个备份文件（npm run restore -- --help 查看说明）');
  const file = path.resolve(files[0]);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`找不到文件 ${files[0]}`);
  const db = ownerTarget(cliConfig());
  const report = db.kind === 'sqlite' ? await restoreSqlite(file, db.sqlitePath) : await restorePostgres(file, db);
  const where = db.kind === 'sqlite' ? db.sqlitePath : splitPassword(db.url).url;
  console.log(`已恢复到 ${where}，各表行数：`);
  console.log(formatCounts(report.tables));
  console.log(`检查通过：${db.kind === 'sqlite' ? 'integrity_check 正常；' : ''}是一表通的数据库（迁移记录均为本系统的）；${
    report.chain ? `审计日志哈希链完整（${report.chain.rows} 条${report.chain.head ? `，链尾为第 ${report.chain.head.id} 条，哈希 ${report.chain.head.hash}` : ''}）` : '备份来自审计日志哈希链之前的版本，未核对哈希链'
  }`);
  if (report.migrationsNote) console.log(report.migrationsNote);
});
