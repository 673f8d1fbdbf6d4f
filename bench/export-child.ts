import 'reflect-metadata';
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { systemViewer } from '../src/access/viewer.js';
import { cliContext } from '../src/cli/cli-context.js';
import { BulkWriter } from '../src/database/bulk-writer.js';
import { ExportService } from '../src/excel/export.service.js';
import { todayIso } from '../src/identity/index.js';
import { demoOrgUnits, demoStaff } from '../src/seed/generator/index.js';
import { SeedService } from '../src/seed/seed.service.js';
import { COMMUNITY, elderlyResident, f01Cells, f01Order, ledgerRows } from './export-fixture.js';

// One step of bench/export in its own process, so that its peak RSS is its own:
//   load N | app N out.xlsx | baseline N out.xlsx      (the database comes from SQLITE_PATH / DATABASE_URL)
const [mode, count, out] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const today = todayIso();

async function load(): Promise<void> {
  const started = performance.now();
  const app = await cliContext();
  const seed = app.get(SeedService);
  const orgUnits = demoOrgUnits();
  const staff = demoStaff(orgUnits);
  const grids = orgUnits.filter((u) => u.parentCode === COMMUNITY).map((u) => u.code);
  const staffId = staff.find((s) => s.orgUnitCode.startsWith(COMMUNITY))!.id;
  await app.get(BulkWriter).transaction(async (insert) => {
    await seed.writeRows(insert, 'orgUnit', orgUnits);
    await seed.writeRows(insert, 'staff', staff.map((s) => ({ ...s, version: 1 })));
    for (let start = 0; start < count; start += 5000) {
      const rows = Array.from({ length: Math.min(5000, count - start) }, (_, k) => ledgerRows(elderlyResident(start + k, today), grids, staffId));
      await seed.writeRows(insert, 'household', rows.map((r) => r.household));
      await seed.writeRows(insert, 'resident', rows.map((r) => r.resident));
      await seed.writeRows(insert, 'visit', rows.flatMap((r) => (r.visit ? [r.visit] : [])));
    }
  });
  await app.close();
  report((performance.now() - started) / 1000, count);
}

/** The application's export: database cursor, view formatting, the department's layout, exceljs. */
async function exportWithApp(): Promise<number> {
  const app = await cliContext({ exports: true });
  const file = fs.createWriteStream(out);
  const started = performance.now();
  const exports = app.get(ExportService);
  const viewer = systemViewer('bench');
  // As the HTTP download does it (no count first).
  const rows = await exports.write(viewer, await exports.prepare(viewer, { code: 'F01', orgUnit: COMMUNITY }, { count: false }), file);
  file.end();
  await finished(file);
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  report(seconds, rows);
  return rows;
}

/** The same cells, written straight from the fixture with exceljs's streaming writer: no application logic. */
async function baseline(): Promise<void> {
  const order = f01Order(count);
  const started = performance.now();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: false });
  const ws = workbook.addWorksheet('桥北社区');
  const border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } } as const;
  const styles = Array.from({ length: 18 }, (_, c): Partial<ExcelJS.Style> => ({ border, ...(c === 3 || c === 15 ? { numFmt: 'yyyy-mm-dd' } : {}) }));
  for (let r = 1; r <= 4; r++) ws.getRow(r).commit();
  for (let n = 0; n < count; n++) {
    const row = ws.getRow(5 + n);
    f01Cells(elderlyResident(order[n], today), n + 1, today).forEach((value, c) => {
      const cell = row.getCell(c + 1);
      cell.style = styles[c];
      if (value !== null) cell.value = (c === 3 || c === 15) && typeof value === 'string' ? new Date(`${value}T00:00:00Z`) : (value as ExcelJS.CellValue);
    });
    row.commit();
  }
  ws.commit();
  await workbook.commit();
  report((performance.now() - started) / 1000, count);
}

function report(seconds: number, rows: number): void {
  process.stdout.write(`${JSON.stringify({ seconds, rows, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

if (mode === 'load') await load();
else if (mode === 'app') await exportWithApp();
else if (mode === 'baseline') await baseline();
else throw new Error(`unknown mode ${mode}`);
process.exit(0);
