import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { systemViewer } from '../src/access/viewer.js';
import { UnitOfWork } from '../src/database/unit-of-work.js';
import { todayIso } from '../src/identity/index.js';
import { parsePeriod } from '../src/reporting/period.js';
import { decodeSnapshot } from '../src/reporting/report-snapshot.js';
import { ReportRepository } from '../src/reporting/report.repository.js';
import { ReportingService } from '../src/reporting/reporting.service.js';
import type { TemplateDef } from '../src/templates/template.types.js';
import { ViewsService } from '../src/views/views.service.js';
import { type BenchPostgres, benchWants, fmt, ROOT } from './bench-support.js';
import { benchResidents, type District, keptDistrict, keptPostgres } from './kept-district.js';

const EXPORT_RUNS = Number(process.env.BENCH_REPORTING_EXPORT_RUNS ?? 3);

interface Submitted {
  id: number;
  form: string;
  community: string;
  ms: number;
  rows: number;
  bytes: number;
  /** The rows alone as JSON (what the snapshot holds, uncompressed and without keys or title). */
  rawJsonBytes: number;
}

interface ExportStep {
  seconds: number;
  rows: number;
  peakRssMb: number;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const median = (values: number[]) => quantile(values, 0.5);
const kb = (bytes: number) => fmt(bytes / 1024, 1);
const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 1);

/** One export in a fresh Node process (its peak RSS is then the export's own); asynchronous, as the app runs here. */
async function exportStep(env: NodeJS.ProcessEnv, code: string, orgUnit: string, period: string | null, out: string): Promise<ExportStep> {
  const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, path.join(ROOT, 'dist/bench/reporting-child.js'), code, orgUnit, period ?? '-', out], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ExportStep;
}

/** The reports table and its indexes on disk, in bytes (null where the database cannot say). */
async function tableBytes(label: string, district: District, db?: BenchPostgres): Promise<{ total: number; detail: string } | null> {
  if (label === 'PostgreSQL') {
    const client = new pg.Client({ connectionString: db!.ownerUrl });
    await client.connect();
    try {
      const [r] = (
        await client.query(`SELECT pg_total_relation_size('reports') AS total, pg_relation_size('reports') AS heap, pg_indexes_size('reports') AS indexes`)
      ).rows;
      const [total, heap, indexes] = [Number(r.total), Number(r.heap), Number(r.indexes)];
      return { total, detail: `heap ${kb(heap)} KB, TOAST ${kb(total - heap - indexes)} KB, indexes ${kb(indexes)} KB` };
    } finally {
      await client.end();
    }
  }
  try {
    const [r] = await district.app.get(DataSource).query(
      `SELECT SUM(pgsize) AS total, SUM(CASE WHEN name = 'reports' THEN pgsize ELSE 0 END) AS heap FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'reports')`,
    );
    return { total: Number(r.total), detail: `table ${kb(Number(r.heap))} KB, indexes ${kb(Number(r.total) - Number(r.heap))} KB; dbstat` };
  } catch {
    return null; // SQLite built without the dbstat table
  }
}

/** Empties the reports table (earlier runs' reports): as the owner on PostgreSQL, so that its size starts from nothing. */
async function clearReports(label: string, district: District, db?: BenchPostgres): Promise<void> {
  if (label === 'PostgreSQL') {
    const client = new pg.Client({ connectionString: db!.ownerUrl });
    await client.connect();
    await client.query('TRUNCATE reports RESTART IDENTITY');
    await client.end();
  } else {
    await district.app.get(UnitOfWork).run((manager) => manager.query('DELETE FROM reports'));
  }
}

/**
 * The latest month whose period has ended for every form (a report is submitted from its period's last day on): a
 * month for monthly forms, its quarter for quarterly ones, its year for yearly ones. On 2026-11-29 that is 2026-09.
 */
function endedPeriod(forms: TemplateDef[], today = todayIso()): string {
  let [year, month] = today.split('-').map(Number);
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (forms.every((d) => parsePeriod(d.reporting.frequency, key, d.reporting.dueDay).to <= today)) return key;
    [year, month] = month === 1 ? [year - 1, 12] : [year, month - 1];
  }
}

interface Outcome {
  period: string;
  summary: string;
  storage: string[];
  table: string;
  exported: string;
}

async function benchOne(label: 'SQLite' | 'PostgreSQL', residents: number, district: District, db?: BenchPostgres): Promise<Outcome> {
  const { app } = district;
  const views = app.get(ViewsService);
  const reporting = app.get(ReportingService);
  const repository = app.get(ReportRepository);
  const defs = views.list().filter((d) => d.reporting.filledBy === 'community');
  const forms = defs.map((d) => d.code).sort();
  const communities = (await app.get(DataSource).query(`SELECT code, name FROM org_units WHERE level = 'community' ORDER BY code`)) as { code: string; name: string }[];
  const period = endedPeriod(defs);
  await clearReports(label, district, db);

  // An administrator (every community in scope), in-process through the service, one report after the other.
  const viewer = systemViewer('bench');
  console.log(`${label}：报送 ${communities.length} 个社区 × ${forms.join('、')}（报送期 ${period}）……`);
  const submitted: Submitted[] = [];
  const started = performance.now();
  for (const community of communities) {
    for (const form of forms) {
      const t0 = performance.now();
      const slot = await reporting.submit(viewer, form, community.code, period);
      const ms = performance.now() - t0;
      submitted.push({ id: slot.report!.id, form, community: community.code, ms, rows: slot.report!.rowCount, bytes: slot.report!.snapshotBytes, rawJsonBytes: 0 });
    }
  }
  const totalSeconds = (performance.now() - started) / 1000;

  // Storage: each snapshot read back and unpacked, its rows measured as plain JSON.
  for (const s of submitted) {
    const bytes = await repository.snapshot(s.id);
    if (!bytes || bytes.length !== s.bytes) throw new Error(`报表 ${s.id} 的快照应有 ${s.bytes} 字节，读到 ${bytes?.length ?? 0} 字节`);
    const snapshot = decodeSnapshot(bytes);
    if (snapshot.rows.length !== s.rows) throw new Error(`报表 ${s.id} 记录 ${s.rows} 行，快照中有 ${snapshot.rows.length} 行`);
    s.rawJsonBytes = Buffer.byteLength(JSON.stringify(snapshot.rows));
  }
  const table = await tableBytes(label, district, db);

  const rows = submitted.reduce((n, s) => n + s.rows, 0);
  const bytes = submitted.reduce((n, s) => n + s.bytes, 0);
  const ms = submitted.map((s) => s.ms);
  const summary = `| ${label} | ${fmt(residents)} | ${fmt(submitted.length)} | ${fmt(rows)} | ${fmt(totalSeconds, 1)} | ${fmt(median(ms))} | ${fmt(quantile(ms, 0.99))} | ${fmt(rows / totalSeconds)} | ${mb(bytes)} | ${table ? mb(table.total) : '—'} | ${table ? kb(table.total / submitted.length) : '—'} |`;

  const storageLine = (name: string, group: Submitted[]) => {
    const r = group.reduce((n, s) => n + s.rows, 0);
    const b = group.reduce((n, s) => n + s.bytes, 0);
    const raw = group.reduce((n, s) => n + s.rawJsonBytes, 0);
    const t = group.map((s) => s.ms);
    return `| ${label} | ${name} | ${group.length} | ${fmt(r)} | ${kb(b / group.length)} | ${kb(Math.max(...group.map((s) => s.bytes)))} | ${r ? fmt(b / r, 1) : '—'} | ${r ? fmt(raw / r, 1) : '—'} | ${raw ? fmt(b / raw, 3) : '—'} | ${fmt(median(t))} | ${fmt(Math.max(...t))} |`;
  };
  const storage = [...forms.map((f) => storageLine(f, submitted.filter((s) => s.form === f))), storageLine('**all**', submitted)];

  // The frozen export against the live one: the community with the most F07 rows (F01 if F07 has none).
  const largest = (form: string) => submitted.filter((s) => s.form === form).sort((a, b) => b.rows - a.rows)[0];
  const target = largest('F07')?.rows ? largest('F07') : largest('F01');
  const name = communities.find((c) => c.code === target.community)!.name;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-reporting-'));
  const frozen: ExportStep[] = [];
  const live: ExportStep[] = [];
  console.log(`${label}：导出 ${target.form} ${name}（${fmt(target.rows)} 行），冻结的与实时的各 ${EXPORT_RUNS} 次……`);
  try {
    // Alternating, so that a busy moment of the (shared) machine does not fall on one side only.
    for (let i = 0; i < EXPORT_RUNS; i++) {
      frozen.push(await exportStep(district.env, target.form, target.community, period, path.join(dir, 'frozen.xlsx')));
      live.push(await exportStep(district.env, target.form, target.community, null, path.join(dir, 'live.xlsx')));
    }
    const size = (f: string) => fs.statSync(path.join(dir, f)).size / 1e6;
    const [fs_, ls] = [median(frozen.map((s) => s.seconds)), median(live.map((s) => s.seconds))];
    const [fr, lr] = [Math.max(...frozen.map((s) => s.peakRssMb)), Math.max(...live.map((s) => s.peakRssMb))];
    const exported = `| ${label} | ${target.form} ${name} | ${fmt(frozen[0].rows)} / ${fmt(live[0].rows)} | ${fmt(fs_, 2)} | ${fmt(fr)} | ${fmt(ls, 2)} | ${fmt(lr)} | ${fmt(fs_ / ls, 2)} | ${fmt(fr / lr, 2)} | ${fmt(size('frozen.xlsx'), 1)} / ${fmt(size('live.xlsx'), 1)} |`;
    const detail = table ? `${label}: reports table ${mb(table.total)} MB on disk (${table.detail}) for ${submitted.length} reports; snapshots ${mb(bytes)} MB` : `${label}: reports table size unknown (no dbstat); snapshots ${mb(bytes)} MB`;
    return { period, summary, storage, table: detail, exported };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The reporting cycle at scale (issue 12, point 7): in the kept ledger of a million residents, every community
 * submits each of its forms (F01–F08) for the latest period that has ended for all of them, through
 * ReportingService.submit, in-process, as an administrator. Reports the submitting time, the snapshots' size
 * against their rows as JSON and the table on disk, and the export of the largest frozen report against the same
 * form exported live (each in its own process).
 */
export async function runReportingBench(): Promise<void> {
  const residents = benchResidents();
  const outcomes: Outcome[] = [];
  for (const label of ['PostgreSQL', 'SQLite'] as const) {
    if (!benchWants(label)) continue;
    let db: BenchPostgres | undefined;
    if (label === 'PostgreSQL') {
      try {
        db = keptPostgres();
      } catch (e) {
        console.warn(`！！！未能启动 PostgreSQL，跳过：${String((e as { stderr?: string }).stderr || e).trim()}`);
        continue;
      }
    }
    try {
      const district = await keptDistrict(label, residents, db);
      try {
        outcomes.push(await benchOne(label, residents, district, db));
      } finally {
        await district.app.close();
      }
    } finally {
      db?.stop();
    }
  }
  const period = [...new Set(outcomes.map((o) => o.period))].join(', ');
  console.log(`\nbench/reporting: every community submits F01–F08 for ${period} (quarterly forms: its quarter; the latest month whose quarter has ended), in-process ReportingService.submit as an administrator, one report at a time\n`);
  console.log('| database | residents | reports | rows frozen | submit total s | per report p50 ms | per report p99 ms | rows frozen/s | snapshots MB | reports table MB | table KB per report |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const o of outcomes) console.log(o.summary);
  console.log('\nStorage per report, by form (snapshot: gzipped JSON; "rows as JSON": the same rows, uncompressed, without keys or title)\n');
  console.log('| database | form | reports | rows | snapshot avg KB | snapshot max KB | snapshot bytes/row | rows as JSON bytes/row | snapshot / JSON | submit p50 ms | submit max ms |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const o of outcomes) for (const line of o.storage) console.log(line);
  console.log('');
  for (const o of outcomes) console.log(o.table);
  console.log(`\nExport (.xlsx, ExportService in a child process each, start-up excluded): the frozen report (period ${period}) vs the live view; median of ${EXPORT_RUNS} runs, peak RSS the highest\n`);
  console.log('| database | form, community | rows frozen / live | frozen s | frozen RSS MB | live s | live RSS MB | time frozen/live | RSS frozen/live | file MB frozen / live |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const o of outcomes) console.log(o.exported);
}
