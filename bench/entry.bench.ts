import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { loadConfig } from '../src/config/app-config.js';
import { idCheckCharacter } from '../src/identity/index.js';
import { SeedService } from '../src/seed/seed.service.js';
import { benchDatabases, benchLogin, fmt, HTTP_BENCH_ENV, ROOT, runConcurrently, startApp } from './bench-support.js';

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

/** The app's upsertResident over HTTP, concurrency 8, vs one plain parameterised INSERT per row through the same driver. */
export async function runEntryBench(): Promise<void> {
  const { databases, stop } = benchDatabases();
  const report: string[] = [];
  const problems: string[] = [];
  try {
    for (const db of databases) {
      // The app, over HTTP, logged in as an administrator (every grid in scope), as the page would send it.
      console.log(`${db.label}：${fmt(COUNT)} 次 upsertResident（并发 ${CONCURRENCY}）……`);
      const { app, url } = await startApp({ ...(await db.env()), ...HTTP_BENCH_ENV });
      await app.get(SeedService).seed({ residents: 0 });
      const grids: string[] = (await app.get(DataSource).query(`SELECT code FROM org_units WHERE level = 'grid' ORDER BY code`)).map((g: { code: string }) => g.code);
      const input = rows(grids);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-load-'));
      const requests = path.join(dir, 'requests.json');
      fs.writeFileSync(requests, JSON.stringify(input.map((i) => ({ query: UPSERT, variables: { input: i } }))));
      const token = await benchLogin(url);
      // Asynchronously: the server answering the requests runs in this process.
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(import.meta.dirname, 'load-client.js'), url, requests, String(CONCURRENCY)], {
        env: { ...process.env, BENCH_TOKEN: token },
      });
      fs.rmSync(dir, { recursive: true, force: true });
      const load = JSON.parse(stdout) as LoadResult;
      // Every answered OK must be stored: a rate of writes that were not kept would be no figure at all.
      const [{ n }] = await app.get(DataSource).query('SELECT COUNT(*) AS n FROM residents');
      const stored = Number(n);
      await app.close();

      // The baseline: same rows, fresh database with the same schema, one INSERT each through the same driver.
      console.log(`${db.label}：${fmt(COUNT)} 条直接 INSERT（基线）……`);
      const env = { ...(await db.env()), SEED_DEMO: 'false' };
      const config = loadConfig(env, ROOT);
      const ds = new DataSource(dataSourceOptions(config));
      await ds.initialize();
      await ds.runMigrations();
      await ds.query(`INSERT INTO org_units (code, name, level, sort_order) VALUES ${grids.map((g) => `('${g}', '${g}', 'grid', 0)`).join(', ')}`);
      await ds.destroy();
      const sql = `INSERT INTO residents (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => (config.database.kind === 'postgres' ? `$${i + 1}` : '?')).join(', ')})`;
      let baseSeconds: number;
      if (config.database.kind === 'postgres') {
        const pool = new pg.Pool({ connectionString: config.database.url, max: CONCURRENCY });
        baseSeconds = await runConcurrently(COUNT, CONCURRENCY, async (i) => void (await pool.query(sql, values(input[i]))));
        await pool.end();
      } else {
        const sqlite = new Database(config.database.sqlitePath);
        sqlite.pragma('journal_mode = WAL');
        sqlite.pragma('synchronous = NORMAL');
        const statement = sqlite.prepare(sql);
        baseSeconds = await runConcurrently(COUNT, CONCURRENCY, async (i) => void statement.run(...values(input[i])));
        sqlite.close();
      }
      const baseRate = COUNT / baseSeconds;

      if (load.failures || load.ok !== COUNT || stored !== load.ok) {
        // No rate for a run with failures: it would measure error answers, not the write path.
        const codes = Object.entries(load.failuresByCode).map(([code, k]) => `${code}×${fmt(k)}`).join('、') || '无';
        const problem = `${load.failures} 次失败（${codes}），应答成功 ${fmt(load.ok)} 次，库中 ${fmt(stored)} 行`;
        problems.push(`${db.label}：${problem}；首个错误：${JSON.stringify(load.firstError)}`);
        report.push(`| ${db.label} | ${fmt(COUNT)} | 失败，不计速率 | ${fmt(baseRate)} | — | **${problem}** |`);
      } else {
        const appRate = COUNT / load.seconds;
        report.push(`| ${db.label} | ${fmt(COUNT)} | ${fmt(appRate)} | ${fmt(baseRate)} | ${fmt(appRate / baseRate, 3)} (1 : ${fmt(baseRate / appRate, 1)}) | 0 |`);
      }
      console.log(report[report.length - 1]);
    }
  } finally {
    stop();
  }
  console.log(`\nbench/entry: upsertResident over HTTP (concurrency ${CONCURRENCY}, logged in) vs plain INSERT per row, same driver\n`);
  console.log('| database | rows | upsertResident rows/s | plain INSERT rows/s | ratio (upsert / INSERT) | failures |');
  console.log('|---|---|---|---|---|---|');
  for (const line of report) console.log(line);
  if (problems.length) {
    console.error(`\n！！！bench/entry 有失败的请求，上表不是有效的速率：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    throw new Error('bench/entry: 有失败的请求');
  }
}
