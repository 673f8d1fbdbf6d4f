import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { loadDefinitions } from '../src/common/definition/definitions.js';
import { writeFormSheet } from '../src/excel/form-sheet.writer.js';
import { todayIso } from '../src/identity/index.js';
import { benchDatabases, fmt, ROOT } from './bench-support.js';
import { elderlyResident, f01Cells, f01Order } from './export-fixture.js';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);

/** The F01 ledger of ROWS residents as the application exports it (the department's layout, inline strings). */
async function ledgerFile(file: string): Promise<void> {
  const today = todayIso();
  const def = (await loadDefinitions(path.join(ROOT, 'templates'))).templates.find((t) => t.code === 'F01')!.def;
  const blank = new ExcelJS.Workbook();
  await blank.xlsx.readFile(def.layout!.file);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  const order = f01Order(ROWS);
  async function* rows() {
    for (let n = 0; n < ROWS; n++) yield f01Cells(elderlyResident(order[n], today), n + 1, today);
  }
  await writeFormSheet(workbook, blank.worksheets[0], def.layout!, '桥北社区', { title: '陈家桥街道桥北社区独居老人信息台账', unit: '桥北社区', date: today }, def.columns, rows());
  await workbook.commit();
}

/**
 * A 100,000-row F01 file imported into an empty ledger: the dry run (read, match, preview) and the commit, against
 * a baseline in the same run that only reads the file with exceljs's streaming reader.
 */
export async function runImportBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-import-bench-'));
  const file = path.join(dir, 'F01.xlsx');
  await ledgerFile(file);
  const { databases, stop } = benchDatabases();
  const lines: string[] = [];
  try {
    for (const db of databases) {
      const env: NodeJS.ProcessEnv = { ...(await db.env()), SEED_DEMO: 'false' };
      console.log(`${db.label}：导入 ${fmt(ROWS)} 行 F01……`);
      const out = execFileSync(process.execPath, [...process.execArgv, path.join(ROOT, 'dist/bench/import-child.js'), file], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
      const r = JSON.parse(out.trim().split('\n').pop()!);
      if (r.creates !== ROWS || r.errors !== 0 || r.changed !== ROWS) throw new Error(`导入结果不对：${out}`);
      const rate = (s: number) => ROWS / s;
      lines.push(`| ${db.label} | ${fmt(ROWS)} | ${fmt(rate(r.baseline))} | ${fmt(rate(r.dryRun))} (${fmt(rate(r.dryRun) / rate(r.baseline), 2)}×) | ${fmt(rate(r.commit))} | ${fmt(r.baseline, 1)} / ${fmt(r.dryRun, 1)} / ${fmt(r.commit, 1)} |`);
      console.log(lines[lines.length - 1]);
    }
  } finally {
    stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nbench/import: F01, ${fmt(ROWS)} rows into an empty ledger (rows/s; the dry run reads, matches and stores the preview)\n`);
  console.log('| database | rows | baseline: exceljs reads | dry run (× baseline) | commit | seconds: baseline / dry run / commit |');
  console.log('|---|---|---|---|---|---|');
  for (const line of lines) console.log(line);
}
