import 'reflect-metadata';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { systemViewer } from '../src/access/viewer.js';
import { cliContext } from '../src/cli/cli-context.js';
import { BulkWriter } from '../src/database/bulk-writer.js';
import { ImportModule } from '../src/import/import.module.js';
import { ImportService } from '../src/import/import.service.js';
import { demoOrgUnits, demoStaff } from '../src/seed/generator/index.js';
import { SeedService } from '../src/seed/seed.service.js';
import { COMMUNITY } from './export-fixture.js';

// One database's part of bench/import, in its own process: the empty ledger's structure (org units, staff), the
// baseline (exceljs's streaming reader reading the file), the dry run (upload: read, match, preview) and the commit.
const file = process.argv[2];

/** Baseline: every row through exceljs's streaming reader, each cell's value touched. */
async function exceljsReads(): Promise<number> {
  let rows = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'cache', worksheets: 'emit', hyperlinks: 'ignore', entries: 'ignore' });
  for await (const ws of reader) {
    for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
      rows++;
      row.eachCell((cell) => void cell.value);
    }
  }
  return rows;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

const app = await cliContext({ extra: [ImportModule] });
const orgUnits = demoOrgUnits();
const seed = app.get(SeedService);
await app.get(BulkWriter).transaction(async (insert) => {
  await seed.writeRows(insert, 'orgUnit', orgUnits);
  await seed.writeRows(insert, 'staff', demoStaff(orgUnits).map((s) => ({ ...s, version: 1 })));
});
const imports = app.get(ImportService);
const viewer = systemViewer('bench', 'import');
const [baselineRows, baseline] = await timed(exceljsReads);
const bytes = fs.readFileSync(file);
const [preview, dryRun] = await timed(() => imports.upload(viewer, { form: 'F01', orgUnit: COMMUNITY, fileName: 'F01.xlsx', bytes }));
const [done, commit] = await timed(() => imports.commit(viewer, preview.id, { onConflict: 'keep', validRowsOnly: false }));
await app.close();
process.stdout.write(`${JSON.stringify({ rows: preview.summary.rows, creates: preview.summary.creates, errors: preview.summary.errors, baselineRows, baseline, dryRun, commit, changed: done.changed })}\n`);
process.exit(0);
