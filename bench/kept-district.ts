import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import type { AppConfig } from '../src/config/app-config.js';
import { SeedService } from '../src/seed/seed.service.js';
import { type BenchPostgres, benchPostgres, emptyPostgres, fmt, postgresEnv, startApp } from './bench-support.js';

// The demo ledger with a million residents (the demo's org units: 2 districts, 4 streets, 8 communities), seeded
// once and kept between runs: seeding takes a minute or two on PostgreSQL. bench/views and bench/reporting share it.

/** Residents of the kept ledger: BENCH_RESIDENTS (`npm run bench -- views --residents 100000` sets it), else a million. */
export function benchResidents(): number {
  const n = Number(process.env.BENCH_RESIDENTS ?? 1_000_000);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_RESIDENTS（--residents）应为正整数，而不是 "${process.env.BENCH_RESIDENTS}"`);
  return n;
}

/** The kept PostgreSQL server (os.tmpdir()/yibiaotong-bench-views-pg, port 55498). Stop it when done. */
export function keptPostgres(): BenchPostgres {
  const dir = path.join(os.tmpdir(), 'yibiaotong-bench-views-pg');
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  return benchPostgres(dir, 55498);
}

/** The kept SQLite file (os.tmpdir()/yibiaotong-bench-district-sqlite/bench.sqlite). */
export function keptSqlitePath(): string {
  const dir = path.join(os.tmpdir(), 'yibiaotong-bench-district-sqlite');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, 'bench.sqlite');
}

/** The kept database's resident count, or null when it holds no ledger yet. */
async function postgresResidents(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [{ t }] = (await client.query(`SELECT to_regclass('public.residents') AS t`)).rows;
    return t ? Number((await client.query('SELECT COUNT(*) AS n FROM residents')).rows[0].n) : null;
  } finally {
    await client.end();
  }
}

export interface District {
  app: NestExpressApplication;
  config: AppConfig;
  /** The app's environment (for child processes on the same database). */
  env: NodeJS.ProcessEnv;
  /** Seconds spent seeding in this run; null when the kept ledger was used as it was. */
  seededSeconds: number | null;
}

/**
 * The app started on a kept ledger of `residents` residents, seeded first if the kept one is missing or of another
 * size (emptied and seeded again). PostgreSQL: the tables are vacuumed and analysed as their owner (a freshly loaded
 * table has no visibility map, so no scan could be index-only).
 */
export async function keptDistrict(label: 'SQLite' | 'PostgreSQL', residents: number, db?: BenchPostgres): Promise<District> {
  let env: NodeJS.ProcessEnv;
  let found: number | null;
  if (label === 'PostgreSQL') {
    found = await postgresResidents(db!.url);
    if (found !== null && found !== residents) {
      console.log(`基准库中有 ${fmt(found)} 位居民（需要 ${fmt(residents)}）：清空后重新写入`);
      await emptyPostgres(db!);
    }
    env = { ...postgresEnv(db!), SEED_DEMO: 'false' };
  } else {
    const file = keptSqlitePath();
    found = null;
    if (fs.existsSync(file)) {
      const { default: Database } = await import('better-sqlite3');
      const sqlite = new Database(file, { readonly: true });
      try {
        found = Number((sqlite.prepare('SELECT COUNT(*) AS n FROM residents').get() as { n: number }).n);
      } catch {
        found = null;
      } finally {
        sqlite.close();
      }
    }
    if (found !== residents) {
      if (found !== null) console.log(`SQLite 基准库中有 ${fmt(found)} 位居民（需要 ${fmt(residents)}）：删除后重新写入`);
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    }
    env = { ...process.env, DATABASE_URL: '', DATABASE_OWNER_URL: '', SQLITE_PATH: file, SEED_DEMO: 'false' };
  }
  const { app, config } = await startApp(env);
  let seededSeconds: number | null = null;
  if (found !== residents) {
    console.log(`${label}：写入 ${fmt(residents)} 位居民……`);
    const started = performance.now();
    await app.get(SeedService).seed({ residents });
    seededSeconds = (performance.now() - started) / 1000;
    console.log(`${label}：已写入（${fmt(seededSeconds, 1)} s）`);
  }
  if (label === 'PostgreSQL') {
    // As the owner: the app's role owns no table, and VACUUM skips (with a warning) what its role does not own.
    const owner = new pg.Client({ connectionString: db!.ownerUrl });
    await owner.connect();
    await owner.query('VACUUM ANALYZE');
    await owner.end();
  }
  return { app, config, env, seededSeconds };
}
