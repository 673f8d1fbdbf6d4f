import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { idCheckCharacter } from '../src/identity/index.js';
import { SeedService } from '../src/seed/seed.service.js';
import { type BenchDatabase, benchDatabases, benchLogin, fmt, HTTP_BENCH_ENV, runConcurrently, startApp } from './bench-support.js';

const COUNT = Number(process.env.BENCH_ENTRY_COUNT ?? 3000); // BENCH_ENTRY_COUNT overrides
const CONCURRENCY = 8;

const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { id version } }`;

interface Row {
  idNumber: string;
  name: string;
  gridCode: string;
  currentAddress: string;
  phone: string;
  livingArrangement: string;
  maritalStatus: string;
  childrenCount: number;
  healthStatus: string;
  ethnicity: string;
  registrationType: string;
}

function rows(grids: string[]): Row[] {
  return Array.from({ length: COUNT }, (_, i) => {
    const birth = new Date(Date.UTC(1930, 0, 1) + (i % 20000) * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
    const first17 = `110101${birth}${String(1 + 2 * Math.floor(i / 20000)).padStart(3, '0')}`;
    return {
      idNumber: first17 + idCheckCharacter(first17),
      name: `测试${i}`,
      gridCode: grids[i % grids.length],
      currentAddress: `基准路${i}号`,
      phone: `139${String(i).padStart(8, '0')}`,
      livingArrangement: String(1 + (i % 5)),
      maritalStatus: ['10', '20', '30', '40'][i % 4],
      childrenCount: i % 4,
      healthStatus: String(1 + (i % 4)),
      ethnicity: '01',
      registrationType: String(1 + (i % 2)),
    };
  });
}

const COLUMNS = ['id_number', 'name', 'grid_code', 'phone', 'living_arrangement', 'marital_status', 'children_count', 'health_status', 'ethnicity', 'registration_type', 'version'];
const values = (r: Row) => [r.idNumber, r.name, r.gridCode, r.phone, r.livingArrangement, r.maritalStatus, r.childrenCount, r.healthStatus, r.ethnicity, r.registrationType, 1];

interface LoadResult {
  seconds: number;
  ok: number;
  failures: number;
  failuresByCode: Record<string, number>;
  firstError: unknown;
}

/** One measured pass of upsertResident over HTTP on a fresh database; rows/s, or a problem (never a rate then). */
interface AppRun {
  rate: number | null;
  problem: string | null;
}

/** The grids of the demo org units, the rows' homes (the same in every fresh database). */
async function demoGrids(app: INestApplication): Promise<string[]> {
  return (await app.get(DataSource).query(`SELECT code FROM org_units WHERE level = 'grid' ORDER BY code`)).map((g: { code: string }) => g.code);
}

/**
 * The app over HTTP, logged in as an administrator (every grid in scope), the load from its own process.
 * `withKeys`: each request carries its own Idempotency-Key, as the page sends with every save.
 */
async function runApp(db: BenchDatabase, withKeys: boolean): Promise<AppRun & { grids: string[]; input: Row[] }> {
  const { app, url } = await startApp({ ...(await db.env()), ...HTTP_BENCH_ENV });
  try {
    await app.get(SeedService).seed({ residents: 0 });
    const grids = await demoGrids(app);
    const input = rows(grids);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-load-'));
    const requests = path.join(dir, 'requests.json');
    fs.writeFileSync(requests, JSON.stringify(input.map((i) => ({ query: UPSERT, variables: { input: i } }))));
    const token = await benchLogin(url);
    // Asynchronously: the server answering the requests runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(import.meta.dirname, 'load-client.js'), url, requests, String(CONCURRENCY)], {
      env: { ...process.env, BENCH_TOKEN: token, BENCH_IDEMPOTENCY_KEYS: withKeys ? '1' : '' },
    });
    fs.rmSync(dir, { recursive: true, force: true });
    const load = JSON.parse(stdout) as LoadResult;
    // Every answered OK must be stored: a rate of writes that were not kept would be no figure at all.
    const [{ n }] = await app.get(DataSource).query('SELECT COUNT(*) AS n FROM residents');
    const stored = Number(n);
    // With keys, each must have been kept: otherwise that column would measure the path without them.
    const keys = withKeys ? Number((await app.get(DataSource).query('SELECT COUNT(*) AS n FROM idempotency_keys'))[0].n) : 0;
    if (withKeys && keys !== load.ok) {
      return { rate: null, problem: `带 Idempotency-Key：应答成功 ${fmt(load.ok)} 次，服务器只记下 ${fmt(keys)} 个键（请求头没有生效？）`, grids, input };
    }
    if (!load.failures && load.ok === COUNT && stored === COUNT) return { rate: COUNT / load.seconds, problem: null, grids, input };
    const codes = Object.entries(load.failuresByCode).map(([code, k]) => `${code}×${fmt(k)}`).join('、') || '无';
    const problem = `${withKeys ? '带 Idempotency-Key：' : ''}${fmt(load.failures)} 次失败（${codes}），应答成功 ${fmt(load.ok)} 次，库中 ${fmt(stored)} 行；首个错误：${JSON.stringify(load.firstError)}`;
    return { rate: null, problem, grids, input };
  } finally {
    await app.close();
  }
}

/** The same rows into a fresh database with the app's schema and connection settings, one plain INSERT each. */
async function runBaseline(db: BenchDatabase, grids: string[], input: Row[]): Promise<number> {
  // The app itself makes the schema (on PostgreSQL: migrations as the owner, grants to the app's role).
  const { app, config } = await startApp({ ...(await db.env()), SEED_DEMO: 'false' });
  await app.close();
  const sql = `INSERT INTO residents (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => (config.database.kind === 'postgres' ? `$${i + 1}` : '?')).join(', ')})`;
  const orgUnits = `INSERT INTO org_units (code, name, level, sort_order) VALUES ${grids.map((g) => `('${g}', '${g}', 'grid', 0)`).join(', ')}`;
  let seconds: number;
  if (config.database.kind === 'postgres') {
    // As the app's role, as the server connects.
    const pool = new pg.Pool({ connectionString: config.database.url, max: CONCURRENCY });
    await pool.query(orgUnits);
    seconds = await runConcurrently(COUNT, CONCURRENCY, async (i) => void (await pool.query(sql, values(input[i]))));
    await pool.end();
  } else {
    // The app's pragmas (synchronous = FULL: each commit on disk), so the ratio is not bought with durability.
    const sqlite = new Database(config.database.sqlitePath);
    sqlite.pragma('journal_mode = WAL');
    const options = dataSourceOptions(config) as { prepareDatabase?: (db: Database.Database) => void };
    options.prepareDatabase?.(sqlite);
    sqlite.exec(orgUnits);
    const statement = sqlite.prepare(sql);
    seconds = await runConcurrently(COUNT, CONCURRENCY, async (i) => void statement.run(...values(input[i])));
    sqlite.close();
  }
  return COUNT / seconds;
}

/**
 * The app's upsertResident over HTTP (concurrency 8; without and with an Idempotency-Key per request) against one
 * plain parameterised INSERT per row through the same driver, each on a fresh database.
 */
export async function runEntryBench(): Promise<void> {
  const { databases, stop } = benchDatabases();
  const report: string[] = [];
  const problems: string[] = [];
  const rate = (r: number | null) => (r === null ? '**失败，不计**' : fmt(r));
  const ratio = (r: number | null, base: number) => (r === null ? '—' : `${fmt(r / base, 3)} (1 : ${fmt(base / r, 1)})`);
  try {
    for (const db of databases) {
      console.log(`${db.label}：${fmt(COUNT)} 次 upsertResident（并发 ${CONCURRENCY}）……`);
      const plain = await runApp(db, false);
      console.log(`${db.label}：${fmt(COUNT)} 次 upsertResident，每次带 Idempotency-Key……`);
      const keyed = await runApp(db, true);
      console.log(`${db.label}：${fmt(COUNT)} 条直接 INSERT（基线）……`);
      const base = await runBaseline(db, plain.grids, plain.input);
      for (const p of [plain.problem, keyed.problem]) if (p) problems.push(`${db.label}：${p}`);
      const failures = [plain.problem, keyed.problem].filter(Boolean).length ? '**有失败，见下**' : '0';
      report.push(`| ${db.label} | ${fmt(COUNT)} | ${rate(plain.rate)} | ${rate(keyed.rate)} | ${fmt(base)} | ${ratio(plain.rate, base)} | ${ratio(keyed.rate, base)} | ${failures} |`);
      console.log(report[report.length - 1]);
    }
  } finally {
    stop();
  }
  console.log(`\nbench/entry: upsertResident over HTTP (concurrency ${CONCURRENCY}, logged in; without and with an Idempotency-Key per request) vs one plain INSERT per row, same driver and settings\n`);
  console.log('| database | rows | upsertResident rows/s | with Idempotency-Key rows/s | plain INSERT rows/s | ratio (upsert / INSERT) | ratio with key | failures |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const line of report) console.log(line);
  if (problems.length) {
    console.log(`\n！！！bench/entry 有失败的请求，失败的一栏不是有效速率：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    throw new Error('bench/entry: 有失败的请求');
  }
}
