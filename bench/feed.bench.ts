import { DataSource } from 'typeorm';
import { systemViewer } from '../src/access/viewer.js';
import { UnitOfWork } from '../src/database/unit-of-work.js';
import { encodeFeedCursor } from '../src/feeds/feed-errors.js';
import { FeedRepository } from '../src/feeds/feed.repository.js';
import { FeedService } from '../src/feeds/feed.service.js';
import { ResidentCommands, type ResidentChange } from '../src/ledger/commands/resident.commands.js';
import { dialectFor } from '../src/views/sql-dialect.js';
import { type BenchPostgres, benchWants, fmt } from './bench-support.js';
import { benchResidents, keptDistrict, keptPostgres } from './kept-district.js';

const EDITS = Number(process.env.BENCH_FEED_EDITS ?? 10_000);
/** Edits per transaction: the write path's own batching (as an import's 500-row steps, smaller). */
const PER_TRANSACTION = 100;
const DISTRICT = '500106000000';
const [FROM, TO] = ['500106', '500106:'];

interface Figures {
  label: string;
  editSeconds: number;
  pages: number;
  changes: number;
  kinds: Record<string, number>;
  feedMs: number;
  sqlMs: number;
  sqlRows: number;
}

/**
 * A department catching up through formChanges after 10,000 random edits (F07 for the district: phones changed,
 * floating residents registered as local and back), against reading the changed rows directly with one SQL
 * statement (the form's columns for the residents changed since the client's last sync, in the form now). The feed
 * also says which rows left; the plain read cannot.
 */
async function one(label: 'SQLite' | 'PostgreSQL', residents: number, db?: BenchPostgres): Promise<Figures> {
  const { app } = await keptDistrict(label, residents, db);
  try {
    const ds = app.get(DataSource);
    const postgres = label === 'PostgreSQL';
    const q = (n: number) => (postgres ? `$${n}` : '?');
    const feed = app.get(FeedService);
    const commands = app.get(ResidentCommands);
    const unitOfWork = app.get(UnitOfWork);
    // A department's account: masked ID and phone numbers, as it pulls its forms.
    const viewer = { ...systemViewer('bench'), fullValues: false };
    // The feed starts on its first read (logs every row once); the client's cursor is the log's end after that.
    await feed.changes(viewer, { code: 'F07', orgUnit: DISTRICT, first: 1 });
    const cursor = encodeFeedCursor(await app.get(FeedRepository).head());
    // Changed since here (SQLite keeps whole seconds: the second of t0 counts whole; nothing else writes meanwhile).
    const t0 = dialectFor(postgres).instant(new Date());

    // Random residents of the district: half among F07's rows, half among all.
    const ids = async (where: string) =>
      ((await ds.query(`SELECT id_number, registration_type FROM residents WHERE grid_code >= ${q(1)} AND grid_code < ${q(2)} AND deregistered_on IS NULL ${where}`, [FROM, TO])) as Record<string, string>[]);
    const floating = await ids(`AND registration_type = '2'`);
    const all = await ids('');
    let seed = 16;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const picked = new Map<string, string>();
    while (picked.size < EDITS) {
      const r = picked.size % 2 ? all[random(all.length)] : floating[random(floating.length)];
      picked.set(r.id_number, r.registration_type);
    }
    const editStarted = performance.now();
    const list = [...picked];
    for (let i = 0; i < list.length; i += PER_TRANSACTION) {
      const chunk = list.slice(i, i + PER_TRANSACTION);
      const versions = new Map<string, number>(
        ((await ds.query(`SELECT id_number, version FROM residents WHERE id_number IN (${chunk.map((_, j) => q(j + 1)).join(', ')})`, chunk.map(([id]) => id))) as Record<string, unknown>[])
          .map((r) => [String(r.id_number), Number(r.version)]),
      );
      const changes: ResidentChange[] = chunk.map(([idNumber, type], j) => ({
        idNumber,
        expectedVersion: versions.get(idNumber)!,
        // Every fifth a registration type swap (a row leaving or entering F07), the rest a new phone number.
        fields: (i + j) % 5 === 0 ? { registrationType: type === '2' ? '1' : '2' } : { phone: `139${String(10_000_000 + random(90_000_000))}` },
      }));
      await unitOfWork.run((manager) => commands.save(manager, viewer, changes));
    }
    const editSeconds = (performance.now() - editStarted) / 1000;

    // Catching up: pages of 500 from the cursor held before the edits, to the end.
    const kinds: Record<string, number> = { ENTERED: 0, CHANGED: 0, LEFT: 0 };
    let pages = 0;
    let changes = 0;
    const feedStarted = performance.now();
    for (let after: string | null = cursor; ;) {
      const page = await feed.changes(viewer, { code: 'F07', orgUnit: DISTRICT, after, first: 500 }, { audit: false });
      pages++;
      changes += page.changes.length;
      for (const c of page.changes) kinds[c.kind]++;
      after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    }
    const feedMs = performance.now() - feedStarted;

    // The same rows read directly: F07's columns for the residents changed since t0 that are in F07 now.
    const sqlStarted = performance.now();
    const rows: unknown[] = await ds.query(
      `SELECT e.id, e.name, e.id_number, e.hukou_address, h.current_address, e.arrival_date, e.residence_reason, e.residence_permit,
              h.dwelling_type, h.landlord_name, h.landlord_phone, e.phone, e.registered_on, g.name AS grid
         FROM residents e LEFT JOIN households h ON h.id = e.household_id JOIN org_units g ON g.code = e.grid_code
        WHERE e.updated_at >= ${q(1)} AND e.grid_code >= ${q(2)} AND e.grid_code < ${q(3)} AND e.registration_type = '2' AND e.deregistered_on IS NULL
        ORDER BY e.id`,
      [t0, FROM, TO],
    );
    const sqlMs = performance.now() - sqlStarted;
    return { label, editSeconds, pages, changes, kinds, feedMs, sqlMs, sqlRows: rows.length };
  } finally {
    await app.close();
  }
}

export async function runFeedBench(): Promise<void> {
  const residents = benchResidents();
  const results: Figures[] = [];
  if (benchWants('SQLite')) results.push(await one('SQLite', residents));
  if (benchWants('PostgreSQL')) {
    const db = keptPostgres();
    try {
      results.push(await one('PostgreSQL', residents, db));
    } finally {
      db.stop();
    }
  }
  console.log(`\nbench/feed: F07 for the district (masked department), ${fmt(residents)} residents, catching up after ${fmt(EDITS)} random edits (${PER_TRANSACTION} per transaction; every fifth a registration type swap)\n`);
  console.log('| database | edits s | feed pages (500) | changes (entered / changed / left) | formChanges catch-up ms | changed rows by SQL ms (rows) | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.label} | ${fmt(r.editSeconds, 1)} | ${r.pages} | ${fmt(r.changes)} (${fmt(r.kinds.ENTERED)} / ${fmt(r.kinds.CHANGED)} / ${fmt(r.kinds.LEFT)}) | ${fmt(r.feedMs)} | ${fmt(r.sqlMs, 1)} (${fmt(r.sqlRows)}) | ${fmt(r.feedMs / r.sqlMs, 1)} |`);
  }
}
