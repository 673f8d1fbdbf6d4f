import { DataSource } from 'typeorm';
import { systemViewer } from '../src/access/viewer.js';
import { UnitOfWork } from '../src/database/unit-of-work.js';
import { ResidentCommands } from '../src/ledger/commands/resident.commands.js';
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

interface Figures {
  label: string;
  seededSeconds: number | null;
  current: { p50: number; p99: number };
  /** A read right after one resident's phone number changed through the write path: that grid is counted again. */
  afterEdit: number;
  /** A read with summary_counts emptied first: every grid counted. */
  cold: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function one(label: 'SQLite' | 'PostgreSQL', residents: number, db?: BenchPostgres): Promise<Figures> {
  const { app, seededSeconds } = await keptDistrict(label, residents, db);
  try {
    const views = app.get(ViewsService);
    const ds = app.get(DataSource);
    const unitOfWork = app.get(UnitOfWork);
    const commands = app.get(ResidentCommands);
    const q = (n: number) => (label === 'PostgreSQL' ? `$${n}` : '?');
    const viewer = { ...systemViewer('bench'), fullValues: false };
    const read = () => views.formView(viewer, { code: 'F09', orgUnit: STREET });
    const current = await measure(read);
    // One resident of the street edited through the commands (a new phone number), then F09 read: one grid stale.
    const street = (await ds.query(`SELECT id_number FROM residents WHERE grid_code >= ${q(1)} AND grid_code < ${q(2)} AND deregistered_on IS NULL ORDER BY id LIMIT 200`, [STREET.slice(0, 9), `${STREET.slice(0, 9)}:`])) as { id_number: string }[];
    const edits = Math.min(20, Math.max(5, Math.floor(RUNS / 3)));
    const afterEdit: number[] = [];
    for (let i = 0; i < edits; i++) {
      const idNumber = street[(i * 7) % street.length].id_number;
      const [{ version }] = await ds.query(`SELECT version FROM residents WHERE id_number = ${q(1)}`, [idNumber]);
      await unitOfWork.run((m) => commands.save(m, viewer, [{ idNumber, expectedVersion: Number(version), fields: { phone: `139${String(10_000_000 + i * 7919)}` } }]));
      const t0 = performance.now();
      await read();
      afterEdit.push(performance.now() - t0);
    }
    // Cold: nothing cached (after a deploy that changes a form, or the first read of a day).
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      await unitOfWork.run((m) => m.query('DELETE FROM summary_counts'));
      const t0 = performance.now();
      await read();
      cold.push(performance.now() - t0);
    }
    return { label, seededSeconds, current, afterEdit: median(afterEdit), cold: median(cold) };
  } finally {
    await app.close();
  }
}

/**
 * F09 (各社区重点人群统计汇总表) for one street: every count of the form (grids, households, residents, 60+, F01–F07
 * rows, F04 visits of the month) per community, through ViewsService as formView serves it: from per-grid counts
 * cached while each grid's version is unchanged (repeated reads), after one resident's edit (one grid counted again),
 * and cold (every grid counted).
 */
export async function runSummaryBench(): Promise<void> {
  const residents = benchResidents();
  const figures: Figures[] = [];
  if (benchWants('SQLite')) figures.push(await one('SQLite', residents));
  if (benchWants('PostgreSQL')) {
    const db = keptPostgres();
    try {
      figures.push(await one('PostgreSQL', residents, db));
    } finally {
      db.stop();
    }
  }
  console.log(`\nbench/summary: F09 for a street (${STREET}), ${fmt(residents)} residents, ${RUNS} runs (ms; the issue: ${BEFORE_MS} ms before, target ${TARGET_MS} ms)\n`);
  console.log('| database | seeded (s) | cached p50 | cached p99 | after one edit p50 | cold p50 | cached p50 / target | issue\'s before / cached p50 |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const f of figures) {
    const seeded = f.seededSeconds === null ? '(kept)' : fmt(f.seededSeconds, 1);
    console.log(`| ${f.label} | ${seeded} | ${fmt(f.current.p50, 1)} | ${fmt(f.current.p99, 1)} | ${fmt(f.afterEdit, 1)} | ${fmt(f.cold, 1)} | ${fmt(f.current.p50 / TARGET_MS, 2)} | ${fmt(BEFORE_MS / f.current.p50, 1)} |`);
  }
}
