import { verifyAuditChain } from '../audit/audit-chain.js';
import { ProgressBar } from '../common/progress.js';
import { loadConfig } from '../config/app-config.js';

const HELP = `npm run audit:verify — 核对审计日志的哈希链

每条审计记录带有 SHA-256 哈希，由上一条的哈希和本条内容算出。本命令按编号从头到尾重算一遍，
指出第一条对不上的记录：内容被改动、记录缺失（被删除）、或与上一条的链接断开（被插入、替换或重排）。

数据库与应用相同：设置了 DATABASE_URL 时为 PostgreSQL（只需读权限），否则为 SQLITE_PATH（默认 data/yibiaotong.sqlite）。
完整时打印链尾的编号和哈希：请另行记下，下次核对时可确认末尾没有记录被截掉。

退出码：0 完整；3 链断开；1 无法读取（配置或数据库错误）；2 参数错误。`;

/** Exit codes as the other commands use them (1 errors, 2 usage), and 3 for a broken chain. */
const [ERROR, USAGE, BROKEN] = [1, 2, 3];

function fail(message: string, code: number): never {
  console.error(`错误：${message}`);
  process.exit(code);
}

// npm run audit:verify: the audit log's hash chain, checked without the app (src/audit/audit-chain.ts). It loads
// none of the app's modules (cli-context.ts would bring Nest, exceljs and GraphQL): it starts in well under a second.
async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  if (argv.length) fail(`不认识的参数 "${argv[0]}"。可用参数：\n  --help  显示说明`, USAGE);
  const config = (() => {
    try {
      // The token key plays no part here: a PostgreSQL deployment's check need not know it.
      return loadConfig({ ...process.env, JWT_SECRET: process.env.JWT_SECRET || 'audit-verify-needs-no-token-key-0000' });
    } catch (e) {
      return fail((e as Error).message, ERROR);
    }
  })();
  let bar: ProgressBar | null = null;
  const result = await verifyAuditChain(config.database, (done, total) => (bar ??= new ProgressBar('核对审计日志', total)).update(done)).catch((e: Error) => {
    fail(`无法读取审计日志（${config.database.kind === 'sqlite' ? config.database.sqlitePath : 'DATABASE_URL'}）：${e.message}`, ERROR);
  });
  (bar as ProgressBar | null)?.finish(result.rows);
  if (result.ok) {
    console.log(result.head ? `审计日志完整：${result.rows} 条，链尾为第 ${result.head.id} 条，哈希 ${result.head.hash}` : '审计日志为空');
    return;
  }
  const broken = result.firstBroken!;
  console.log(`审计日志的哈希链在第 ${broken.id} 条断开（${broken.code}）：${broken.reason}`);
  process.exit(BROKEN);
}

await main(process.argv.slice(2));
