import 'reflect-metadata';
import { runEntryBench } from './entry.bench.js';
import { runExportBench } from './export.bench.js';
import { runFeedBench } from './feed.bench.js';
import { runImportBench } from './import.bench.js';
import { runPullBench } from './pull.bench.js';
import { runReportingBench } from './reporting.bench.js';
import { runSummaryBench } from './summary.bench.js';
import { runViewsBench } from './views.bench.js';

// `npm run bench -- <name>…` (all of them without a name): speed and memory figures live here, never in timed tests.
// Smaller sizes for a quick run (the defaults are the issues' figures):
//   BENCH_DATABASES=SQLite|PostgreSQL      one database only
//   BENCH_DATABASE_URL=postgres://…        an existing PostgreSQL database to empty and use (never the ledger's own)
//   BENCH_ENTRY_COUNT=3000                 entry: upserts
//   BENCH_RESIDENTS=1000000 BENCH_RUNS=60  views, reporting, pull, feed, summary: residents of the kept ledger (or --residents 100000), timed runs per case
//   BENCH_FEED_EDITS=10000                 feed: random edits before the catch-up
//   BENCH_REPORTING_EXPORT_RUNS=3          reporting: exports of the frozen and the live report each
//   BENCH_EXPORT_ROWS=100000,1000000       export: sizes
//   BENCH_IMPORT_ROWS=100000               import: rows
//   BENCH_PULL_PAGE=500 BENCH_PULL_ROUNDS=3 BENCH_PULL_F01_RUNS=40   pull: rows a page of the second F07 pull (the first: the largest page) and rounds, runs of F01's first page
const BENCHES: Record<string, () => Promise<void>> = {
  entry: runEntryBench,
  views: runViewsBench,
  export: runExportBench,
  import: runImportBench,
  reporting: runReportingBench,
  pull: runPullBench,
  feed: runFeedBench,
  summary: runSummaryBench,
};

// Names, and `--residents N` (or `--residents=N`): the kept ledger's size, as BENCH_RESIDENTS.
const args = process.argv.slice(2);
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  const residents = /^--residents(?:=(.*))?$/.exec(args[i]);
  if (residents) process.env.BENCH_RESIDENTS = residents[1] ?? args[++i];
  else if (!args[i].startsWith('-')) names.push(args[i]);
}
const selected = names.length ? names : Object.keys(BENCHES);
const unknown = selected.filter((name) => !BENCHES[name]);
if (unknown.length) {
  console.error(`没有名为 "${unknown.join('", "')}" 的基准测试；可用：${Object.keys(BENCHES).join('、')}`);
  process.exit(2);
}
// One failing benchmark does not hide the others' figures, but the run as a whole fails.
const failed: string[] = [];
for (const name of selected) {
  try {
    await BENCHES[name]();
  } catch (e) {
    failed.push(name);
    console.error(`\n！！！bench/${name} 失败：${(e as Error).stack ?? e}\n`);
  }
}
if (failed.length) console.error(`\n！！！失败的基准测试：${failed.join('、')}（其余 ${selected.length - failed.length} 个已完成）`);
process.exit(failed.length ? 1 : 0);
