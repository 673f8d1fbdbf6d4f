import { systemViewer } from '../src/access/viewer.js';
import { ViewsService } from '../src/views/views.service.js';
import { type BenchPostgres, benchWants, fmt } from './bench-support.js';
import { benchResidents, keptDistrict, keptPostgres } from './kept-district.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
/** The target for F09 for a street, and the figure it gave for before (1,000,000 residents, another machine). */
const TARGET_MS = 50;
const BEFORE_MS = 527;
const STREET = '500106108000';

/** p50 and p99 in ms after a few warm-up runs. */
async function measure(work: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { p50: at(0.5), p99: at(0.99) };
}

async function one(label: 'SQLite' | 'PostgreSQL', residents: number, db?: BenchPostgres): Promise<string> {
  const { app } = await keptDistrict(label, residents, db);
  try {
    const views = app.get(ViewsService);
    const viewer = { ...systemViewer('bench'), fullValues: false };
    const { p50, p99 } = await measure(() => views.formView(viewer, { code: 'F09', orgUnit: STREET }));
    return `| ${label} | ${fmt(p50, 1)} | ${fmt(p99, 1)} | ${fmt(p50 / TARGET_MS, 2)} | ${fmt(BEFORE_MS / p50, 1)} |`;
  } finally {
    await app.close();
  }
}

/**
 * F09 (各社区重点人群统计汇总表) for one street: every count of the form (grids, households, residents, 60+, F01–F07
 * rows, F04 visits of the month) per community, through ViewsService as formView serves it.
 */
export async function runSummaryBench(): Promise<void> {
  const residents = benchResidents();
  const lines: string[] = [];
  if (benchWants('SQLite')) lines.push(await one('SQLite', residents));
  if (benchWants('PostgreSQL')) {
    const db = keptPostgres();
    try {
      lines.push(await one('PostgreSQL', residents, db));
    } finally {
      db.stop();
    }
  }
  console.log(`\nbench/summary: F09 for a street (${STREET}), ${fmt(residents)} residents, ${RUNS} runs (ms; the issue: ${BEFORE_MS} ms before, target ${TARGET_MS} ms)\n`);
  console.log('| database | p50 | p99 | p50 / target | issue\'s before / p50 |');
  console.log('|---|---|---|---|---|');
  for (const line of lines) console.log(line);
}
