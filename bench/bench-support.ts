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

export interface BenchDatabase {
  label: 'SQLite' | 'PostgreSQL';
  /** A fresh empty database each call. */
  env(): Promise<NodeJS.ProcessEnv>;
}

/** SQLite always; PostgreSQL from DATABASE_URL, or a throw-away server started here when the binaries exist. */
export function benchDatabases(): { databases: BenchDatabase[]; stop(): void } {
  // World-traversable, so the postgres system user can reach the server's directory inside it.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-bench-'));
  fs.chmodSync(tmp, 0o755);
  const databases: BenchDatabase[] = [
    { label: 'SQLite', env: async () => ({ ...process.env, DATABASE_URL: '', SQLITE_PATH: path.join(fs.mkdtempSync(path.join(tmp, 'db-')), 'bench.sqlite') }) },
  ];
  let stop = () => fs.rmSync(tmp, { recursive: true, force: true });
  let url = process.env.DATABASE_URL;
  if (!url) {
    try {
      url = execFileSync(path.join(ROOT, 'scripts/postgres.sh'), ['start', path.join(tmp, 'pg'), '55499'], { encoding: 'utf8' }).trim();
      const rm = stop;
      stop = () => {
        execFileSync(path.join(ROOT, 'scripts/postgres.sh'), ['stop', path.join(tmp, 'pg')]);
        rm();
      };
    } catch {
      console.warn('未能启动 PostgreSQL，只测 SQLite');
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
  // BENCH_DATABASES=SQLite or PostgreSQL runs one of them.
  const only = process.env.BENCH_DATABASES;
  return { databases: only ? databases.filter((d) => d.label === only) : databases, stop };
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
