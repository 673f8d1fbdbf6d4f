import { auditRowHash, verifyAuditChain } from '../audit/audit-chain.js';
import { ProgressBar } from '../common/progress.js';
import { loadConfig } from '../config/app-config.js';

const HELP = `npm run audit:verify — 核对审计日志的哈希链

每条审计记录带有 SHA-256 哈希，由上一条的哈希和本条内容算出。本命令按编号从头到尾重算一遍，
指出第一条对不上的记录：内容被改动、记录缺失（被删除）、或与上一条的链接断开（被插入、替换或重排）。

数据库与应用相同：设置了 DATABASE_URL 时为 PostgreSQL（只需读权限），否则为 SQLITE_PATH（默认 data/yibiaotong.sqlite）。
完整时打印链尾的编号和哈希：请记在服务器之外。能改写数据库的人可以从某条起重算整条链，也可以删掉末尾几条，
这两种改写链本身看不出来；下次核对时用 --head 带上记下的链尾，确认它仍在且哈希未变：

  npm run audit:verify -- --head 编号:哈希

参数：
  --head 编号:哈希  确认这一条（上次记下的链尾）仍在、哈希未变
  --help           显示本说明

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
  const head = noted(argv);
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
  if (!result.ok) {
    const broken = result.firstBroken!;
    console.log(`审计日志的哈希链在第 ${broken.id} 条断开（${broken.code}）：${broken.reason}`);
    process.exit(BROKEN);
  }
  console.log(result.head ? `审计日志完整：${result.rows} 条，链尾为第 ${result.head.id} 条，哈希 ${result.head.hash}` : '审计日志为空');
  if (head) {
    const now = await auditRowHash(config.database, head.id);
    if (now !== head.hash) {
      console.log(now === null
        ? `记下的链尾第 ${head.id} 条已不存在（HEAD_MISSING）：其后的记录被截掉，或链被整体重写`
        : `记下的链尾第 ${head.id} 条的哈希已变（HEAD_CHANGED）：链从这一条或更早处被整体重写`);
      process.exit(BROKEN);
    }
    console.log(`记下的链尾第 ${head.id} 条仍在，哈希未变`);
  }
}

/** `--head id:hash`, the only option besides --help. */
function noted(argv: string[]): { id: number; hash: string } | null {
  let head: { id: number; hash: string } | null = null;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--head(?:=(.*))?$/.exec(argv[i]);
    if (!m) fail(`不认识的参数 "${argv[i]}"。可用参数：\n  --head 编号:哈希\n  --help`, USAGE);
    const value = m[1] ?? argv[++i] ?? '';
    const parts = /^(\d+):([0-9a-f]{64})$/.exec(value.trim().toLowerCase());
    if (!parts) fail(`--head 的取值应为 编号:哈希（64 位十六进制），例如 1234:${'0'.repeat(64)}`, USAGE);
    head = { id: Number(parts[1]), hash: parts[2] };
  }
  return head;
}

await main(process.argv.slice(2));
