import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { AppModule } from '../src/app.module.js';
import { configureHttp } from '../src/app.setup.js';
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

/** A PostgreSQL database for benchmarks: the app's role and the owner's (migrations, emptying), as deployed. */
export interface BenchPostgres {
  url: string;
  ownerUrl: string;
  stop(): void;
}

const POSTGRES_SH = path.join(ROOT, 'scripts/postgres.sh');

/**
 * BENCH_DATABASE_URL (and BENCH_DATABASE_OWNER_URL when its role cannot run migrations), or a server of
 * scripts/postgres.sh in `dir` on `port` (two roles, as deployed). Not DATABASE_URL: benchmarks empty the
 * database (DROP SCHEMA public), which must never be the ledger's own.
 */
export function benchPostgres(dir: string, port: number): BenchPostgres {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, ownerUrl: process.env.BENCH_DATABASE_OWNER_URL || given, stop: () => {} };
  if (process.env.DATABASE_URL) console.warn('基准测试不使用 DATABASE_URL（会清空数据库）；要用已有的 PostgreSQL，请用 BENCH_DATABASE_URL（及 BENCH_DATABASE_OWNER_URL）指定一个专用库');
  const run = (...args: string[]) => execFileSync(POSTGRES_SH, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let url: string;
  try {
    url = run('start', dir, String(port));
  } catch (e) {
    // A kept directory from before the two roles cannot be converted: it holds only benchmark data, so start afresh.
    if (!/before the owner and app roles/.test(String((e as { stderr?: string }).stderr))) throw e;
    console.log(`${dir} 是旧版（单一角色）的 PostgreSQL 目录：删除后重建`);
    run('stop', dir);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    url = run('start', dir, String(port));
  }
  return { url, ownerUrl: run('owner-url', dir, String(port)), stop: () => void run('stop', dir) };
}

/** Empties the database (as its owner: the app's role may not drop the schema); the app's env for it. */
export async function emptyPostgres(db: BenchPostgres): Promise<NodeJS.ProcessEnv> {
  const client = new pg.Client({ connectionString: db.ownerUrl });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await client.end();
  return postgresEnv(db);
}

/** The app's environment for this database: migrations as the owner, everything else as the app's role. */
export function postgresEnv(db: BenchPostgres): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl, JWT_SECRET: BENCH_JWT_SECRET };
}

/** SQLite always; PostgreSQL (see benchPostgres) when wanted and available, else a loud warning. */
export function benchDatabases(): { databases: BenchDatabase[]; stop(): void } {
  // World-traversable, so the postgres system user can reach the server's directory inside it.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-bench-'));
  fs.chmodSync(tmp, 0o755);
  const databases: BenchDatabase[] = [
    { label: 'SQLite', env: async () => ({ ...process.env, DATABASE_URL: '', DATABASE_OWNER_URL: '', SQLITE_PATH: path.join(fs.mkdtempSync(path.join(tmp, 'db-')), 'bench.sqlite') }) },
  ];
  let stop = () => fs.rmSync(tmp, { recursive: true, force: true });
  if (benchWants('PostgreSQL')) {
    try {
      const db = benchPostgres(path.join(tmp, 'pg'), 55499);
      databases.push({ label: 'PostgreSQL', env: () => emptyPostgres(db) });
      const rm = stop;
      stop = () => {
        db.stop();
        rm();
      };
    } catch (e) {
      console.warn(`！！！未能启动 PostgreSQL，本次只测 SQLite：${String((e as { stderr?: string }).stderr || e).trim()}`);
    }
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

/** The app as `npm start` serves it (body limits, proxy and all), on a free loopback port. */
export async function startApp(env: NodeJS.ProcessEnv): Promise<{ app: NestExpressApplication; config: AppConfig; url: string }> {
  const config = loadConfig(env, ROOT);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, await loadDefinitions(config.templatesDir)), { logger: ['error'] });
  configureHttp(app, config);
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
