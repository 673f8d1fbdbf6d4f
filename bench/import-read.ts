import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { loadDefinitions } from '../src/common/definition/definitions.js';
import { writeFormSheet } from '../src/excel/form-sheet.writer.js';
import { todayIso } from '../src/identity/index.js';
import { reverseRow } from '../src/import/mapping/index.js';
import { readLedgerFile } from '../src/import/reader/index.js';
import { ROOT } from './bench-support.js';
import { elderlyResident, f01Cells, f01Order } from './export-fixture.js';

// Import read speed on an F01 ledger of N rows (default 100 000), against exceljs's streaming reader:
//   npm run build && node dist/bench/import-read.js [rows]
// (not yet listed in bench/run.ts: the reader runs in its worker only when compiled, so it is run from dist/).
// Two files: as the application exports it (inline strings) and as Excel saves it (shared strings).
const count = Number(process.argv[2] ?? 100_000);
const today = todayIso();
const defs = await loadDefinitions(path.join(ROOT, 'templates'));
const def = defs.templates.find((t) => t.code === 'F01')!.def;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-import-bench-'));

async function writeFile(file: string, useSharedStrings: boolean): Promise<void> {
  const blank = new ExcelJS.Workbook();
  await blank.xlsx.readFile(def.layout!.file);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings });
  const order = f01Order(count);
  async function* rows() {
    for (let n = 0; n < count; n++) yield f01Cells(elderlyResident(order[n], today), n + 1, today);
  }
  await writeFormSheet(workbook, blank.worksheets[0], def.layout!, '桥北社区', { title: '独居老人信息台账', unit: '桥北社区', date: today }, def.columns, rows());
  await workbook.commit();
}

/** Baseline: every row of the file through exceljs's streaming reader, each cell's value touched. */
async function exceljsStreaming(file: string): Promise<number> {
  let rows = 0;
  let cells = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'cache', worksheets: 'emit', hyperlinks: 'ignore', entries: 'ignore' });
  for await (const ws of reader) {
    for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
      rows++;
      row.eachCell((cell) => void (cell.value !== undefined && cells++));
    }
  }
  return rows;
}

async function ours(file: string, map: boolean): Promise<number> {
  const read = await readLedgerFile(fs.readFileSync(file), def.columns);
  if (map) for (const row of read.rows) reverseRow(def, defs.dictionary, row, { referenceDate: today });
  return read.rows.length;
}

async function time(label: string, run: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const rows = await run();
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(rows / seconds);
  console.log(`${label.padEnd(44)} ${rows} 行  ${seconds.toFixed(2)} s  ${rate} 行/秒`);
  return rate;
}

for (const shared of [false, true]) {
  const file = path.join(tmp, `F01-${shared ? 'shared' : 'inline'}.xlsx`);
  await writeFile(file, shared);
  console.log(`\n${count} 行 F01（${shared ? '共享字符串，如 Excel 保存' : '内联字符串，如本系统导出'}），${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
  const base = await time('exceljs WorkbookReader（流式，基线）', () => exceljsStreaming(file));
  const read = await time('readLedgerFile（工作线程）', () => ours(file, false));
  const full = await time('readLedgerFile + reverseRow（整个导入的读取部分）', () => ours(file, true));
  console.log(`读取 / 基线 = ${(read / base).toFixed(2)}×；读取+映射 / 基线 = ${(full / base).toFixed(2)}×`);
}
// KEEP=1 leaves the files for profiling.
if (process.env.KEEP) console.log(`文件保留在 ${tmp}`);
else fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
