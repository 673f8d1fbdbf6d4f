import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDatabases, fmt, ROOT } from './bench-support.js';

const SIZES = (process.env.BENCH_EXPORT_ROWS ?? '100000,1000000').split(',').map(Number);

interface Step {
  seconds: number;
  rows: number;
  peakRssMb: number;
}

/** Runs one step of the benchmark in a fresh Node process (its peak RSS is then the step's own). */
function step(env: NodeJS.ProcessEnv, ...args: string[]): Step {
  // The same Node flags as the app's own scripts (npm run bench passes them), for the app and the baseline alike.
  const output = execFileSync(process.execPath, [...process.execArgv, path.join(ROOT, 'dist/bench/export-child.js'), ...args], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(output.trim().split('\n').pop()!) as Step;
}

/**
 * F01 for one community with 100,000 and 1,000,000 rows: the application's export (database cursor, formatting,
 * layout) against a baseline in the same run that writes the same cells with exceljs's streaming writer alone.
 */
export async function runExportBench(): Promise<void> {
  const { databases, stop } = benchDatabases();
  const lines: string[] = [];
  try {
    for (const db of databases) {
      for (const rows of SIZES) {
        const env: NodeJS.ProcessEnv = { ...(await db.env()), SEED_DEMO: 'false' };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-export-'));
        console.log(`${db.label}：写入 ${fmt(rows)} 位独居老人……`);
        step(env, 'load', String(rows));
        const base = step(env, 'baseline', String(rows), path.join(dir, 'baseline.xlsx'));
        const app = step(env, 'app', String(rows), path.join(dir, 'app.xlsx'));
        if (app.rows !== rows) throw new Error(`导出了 ${app.rows} 行，应为 ${rows} 行`);
        const size = (f: string) => fs.statSync(path.join(dir, f)).size / 1e6;
        lines.push(
          `| ${db.label} | ${fmt(rows)} | ${fmt(base.seconds, 1)} | ${fmt(base.peakRssMb)} | ${fmt(app.seconds, 1)} | ${fmt(app.peakRssMb)} | ${fmt(app.seconds / base.seconds, 2)} | ${fmt(size('app.xlsx'), 1)} / ${fmt(size('baseline.xlsx'), 1)} |`,
        );
        console.log(lines[lines.length - 1]);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    stop();
  }
  console.log('\nbench/export: F01, one community (seconds, peak RSS in MB; the app\'s time excludes start-up)\n');
  console.log('| database | rows | baseline s | baseline RSS | export s | export RSS | time ratio | file MB (export / baseline) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const line of lines) console.log(line);
}
