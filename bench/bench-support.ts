import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { AppModule } from '../src/app.module.js';
import { loadDefinitions } from '../src/common/definition/definitions.js';
import { type AppConfig, loadConfig } from '../src/config/app-config.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** PostgreSQL deployments must set JWT_SECRET; benchmarks do too. */
export const BENCH_JWT_SECRET = 'bench-only-jwt-secret-0123456789abcdef';
/** The administrator the app creates on an empty database (ADMIN_PASSWORD); benchmarks over HTTP log in as it. */
const BENCH_ADMIN_PASSWORD = 'bench-only-admin-password-2024';

/**
 * What a server measured over HTTP needs besides its database: an administrator to log in as, and a rate limit
 * that a benchmark's thousands of requests a minute from one account do not hit (the limit is for people).
 */
export const HTTP_BENCH_ENV = { SEED_DEMO: 'false', ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD, RATE_LIMIT_PER_MINUTE: '1000000' } as const;

/** Logs in as the benchmark's administrator (see HTTP_BENCH_ENV); returns the bearer token. */
export async function benchLogin(graphqlUrl: string): Promise<string> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'admin', p: BENCH_ADMIN_PASSWORD } }),
  });
  const json = (await res.json()) as { data?: { login?: { token: string } }; errors?: unknown[] };
  const token = json.data?.login?.token;
  if (!token) throw new Error(`基准测试登录失败（HTTP ${res.status}）：${JSON.stringify(json.errors ?? json)}`);
  return token;
}

export interface BenchDatabase {
  label: 'SQLite' | 'PostgreSQL';
  /** A fresh empty database each call. */
  env(): Promise<NodeJS.ProcessEnv>;
}

/**
 * SQLite always; PostgreSQL from BENCH_DATABASE_URL, or a throw-away server started here when the binaries exist.
 * Not DATABASE_URL: each run empties the database (DROP SCHEMA public), which must never be the ledger's own.
 */
export function benchDatabases(): { databases: BenchDatabase[]; stop(): void } {
  // World-traversable, so the postgres system user can reach the server's directory inside it.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-bench-'));
  fs.chmodSync(tmp, 0o755);
  const databases: BenchDatabase[] = [
    { label: 'SQLite', env: async () => ({ ...process.env, DATABASE_URL: '', SQLITE_PATH: path.join(fs.mkdtempSync(path.join(tmp, 'db-')), 'bench.sqlite') }) },
  ];
  let stop = () => fs.rmSync(tmp, { recursive: true, force: true });
  let url = process.env.BENCH_DATABASE_URL;
  if (!url && process.env.DATABASE_URL) console.warn('基准测试不使用 DATABASE_URL（每次运行都会清空数据库）；要用已有的 PostgreSQL，请用 BENCH_DATABASE_URL 指定一个专用库');
  if (!url && benchWants('PostgreSQL')) {
    try {
      url = execFileSync(path.join(ROOT, 'scripts/postgres.sh'), ['start', path.join(tmp, 'pg'), '55499'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
      const rm = stop;
      stop = () => {
        execFileSync(path.join(ROOT, 'scripts/postgres.sh'), ['stop', path.join(tmp, 'pg')]);
        rm();
      };
    } catch (e) {
      console.warn(`！！！未能启动 PostgreSQL，本次只测 SQLite：${String((e as { stderr?: string }).stderr || e).trim()}`);
    }
  }
  if (url) {
    databases.push({
      label: 'PostgreSQL',
      env: async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
        await client.end();
        return { ...process.env, DATABASE_URL: url, JWT_SECRET: BENCH_JWT_SECRET };
      },
    });
  }
  return { databases: databases.filter((d) => benchWants(d.label)), stop };
}

/** BENCH_DATABASES=SQLite or PostgreSQL (any case; "sqlite,postgres" for both) runs only those. */
export function benchWants(label: BenchDatabase['label']): boolean {
  const only = process.env.BENCH_DATABASES?.toLowerCase();
  if (!only) return true;
  const wanted = only.split(',').map((s) => s.trim());
  return wanted.includes(label.toLowerCase()) || (label === 'PostgreSQL' && wanted.includes('postgres'));
}

export async function startApp(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; config: AppConfig; url: string }> {
  const config = loadConfig(env, ROOT);
  const app = await NestFactory.create(AppModule.forRoot(config, await loadDefinitions(config.templatesDir)), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return { app, config, url: `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1') };
}

/** Runs `count` jobs with at most `concurrency` in flight; returns the seconds taken. */
export async function runConcurrently(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
