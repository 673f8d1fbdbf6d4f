import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BackupError } from './backup-common.js';

/**
 * pg_dump or pg_restore: the newest under /usr/lib/postgresql/N/bin (Debian's layout; a newer client reads older
 * servers and archives), otherwise the one on PATH.
 */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', name))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin', name) : name;
}

/** The connection string without its password, and the password for PGPASSWORD: `ps` shows others the arguments. */
export function splitPassword(url: string): { url: string; password: string | null } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : null;
  u.password = '';
  return { url: u.toString(), password };
}

/**
 * Runs a client tool to the end. `onLine` sees each line it writes on stderr (--verbose progress); a failure
 * becomes a PG_TOOL_FAILED error carrying the tool's own last error lines.
 */
export function runPgTool(name: 'pg_dump' | 'pg_restore', args: string[], opts: { url?: string; onLine?: (line: string) => void } = {}): Promise<string> {
  const conn = opts.url ? splitPassword(opts.url) : null;
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '10' };
  if (conn?.password) env.PGPASSWORD = conn.password;
  const tool = pgTool(name);
  const child = spawn(tool, [...args, '--no-password', ...(conn ? [`--dbname=${conn.url}`] : [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let pending = '';
  const errors: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  const handle = (line: string) => {
    if (/error|fatal|错误|致命/i.test(line)) errors.push(line);
    opts.onLine?.(line);
  };
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    const lines = (pending + s).split('\n');
    pending = lines.pop()!;
    lines.forEach(handle);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new BackupError('PG_TOOL_MISSING', `找不到 ${name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client），版本不低于服务器`) : e),
    );
    child.on('close', (code) => {
      if (pending) handle(pending);
      if (code === 0) resolve(stdout);
      else reject(new PgToolFailure(name, code, errors.slice(-3)));
    });
  });
}

export class PgToolFailure extends BackupError {
  constructor(
    readonly tool: string,
    readonly exitCode: number | null,
    readonly errors: string[],
  ) {
    super('PG_TOOL_FAILED', `${tool} 失败（退出码 ${exitCode}）：${errors.join('；') || '没有错误信息'}`);
  }
}
