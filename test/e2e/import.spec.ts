import ExcelJS from 'exceljs';
import request from 'supertest';
import { BulkWriter } from '../../src/database/bulk-writer.js';
import { demoOrgUnits, demoStaff } from '../../src/seed/generator/index.js';
import { SeedService } from '../../src/seed/seed.service.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const COMMUNITY = '500106108001';

/** An empty ledger: the demo's org units and staff (the structure an import maps names onto), no residents. */
async function structureOnly(t: TestApp): Promise<void> {
  const seed = t.app.get(SeedService);
  const orgUnits = demoOrgUnits();
  await t.app.get(BulkWriter).transaction(async (insert) => {
    await seed.writeRows(insert, 'orgUnit', orgUnits);
    await seed.writeRows(insert, 'staff', demoStaff(orgUnits).map((s) => ({ ...s, version: 1 })));
  });
}

const upload = (t: TestApp, form: string, file: Buffer, name = `${form}.xlsx`, orgUnit = COMMUNITY) =>
  request(t.app.getHttpServer()).post('/imports').set(t.auth).field('form', form).field('orgUnit', orgUnit).attach('file', file, name);

async function exported(t: TestApp, form: string, orgUnit = COMMUNITY): Promise<Buffer> {
  const res = await request(t.app.getHttpServer()).get(`/exports/${form}?orgUnit=${orgUnit}`).set(t.auth).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  return res.body;
}

describe(`import of the ledgers kept in Excel (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let demo: TestApp;
  let empty: TestApp;
  beforeAll(async () => {
    demo = await createTestApp({ seedDemo: true });
  });
  afterAll(async () => {
    await demo?.close();
    await empty?.close();
  });

  it('previews an exported form against the same ledger as unchanged, row by row', async () => {
    const res = await upload(demo, 'F05', await exported(demo, 'F05'));
    expect(res.status).toBe(201);
    expect(res.body.summary.rows).toBeGreaterThan(0);
    expect(res.body.summary).toMatchObject({ creates: 0, updates: 0, conflicts: 0, errors: 0 });
    expect(res.body.summary.unchanged).toBe(res.body.summary.rows);
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('creates the residents of exported forms in an empty ledger; committing twice is refused, re-importing changes nothing', async () => {
    empty = await createTestApp({ database: 'empty' });
    await structureOnly(empty);
    const file = await exported(demo, 'F01');
    const preview = await upload(empty, 'F01', file);
    expect(preview.status).toBe(201);
    expect(preview.body.summary.creates).toBe(preview.body.summary.rows);
    const commit = await empty.gql(`mutation { commitImport(id: ${preview.body.id}) { status committedRows } }`);
    expect(commit.errors).toBeUndefined();
    expect(commit.data.commitImport).toMatchObject({ status: 'committed', committedRows: preview.body.summary.rows });
    const again = await empty.gql(`mutation { commitImport(id: ${preview.body.id}) { status } }`);
    expect(again.errors[0].extensions.fieldErrors[0].code).toBe('ALREADY_COMMITTED');
    const twice = await upload(empty, 'F01', file);
    expect(twice.body.summary.unchanged).toBe(twice.body.summary.rows);
    expect((await empty.gql(`{ importPreview(id: ${twice.body.id}) { import { alreadyImportedId } } }`)).data.importPreview.import.alreadyImportedId).toBe(preview.body.id);
  });

  it('round trip: F01–F08 exported from the demo data, imported into an empty ledger, exported again: the same cells', async () => {
    const target = await createTestApp({ database: 'target' });
    try {
      await structureOnly(target);
      const months: string[] = (await demo.dataSource.query(`SELECT DISTINCT substr(CAST(visit_date AS TEXT), 1, 7) AS m FROM visits v JOIN residents r ON r.id = v.resident_id WHERE r.grid_code LIKE '${COMMUNITY}%' ORDER BY 1`)).map((r: { m: string }) => String(r.m));
      const files: [string, string | null][] = [['F07', null], ['F05', null], ['F03', null], ['F02', null], ['F01', null], ['F06', null], ...months.map((m): [string, string] => ['F04', m]), ['F08', null]];
      const originals = new Map<string, Buffer>();
      for (const [form, month] of files) {
        const key = month ? `${form}-${month}` : form;
        const res = await request(demo.app.getHttpServer()).get(`/exports/${form}?orgUnit=${COMMUNITY}${month ? `&date=${month}` : ''}`).set(demo.auth).buffer(true).parse(binary);
        originals.set(key, res.body);
        const preview = await upload(target, form, res.body, `${key}.xlsx`);
        expect([key, preview.status]).toEqual([key, 201]);
        const problems = (await target.gql(`{ importPreview(id: ${preview.body.id}, kind: "error") { rows { row errors { header value message } } } }`)).data.importPreview.rows;
        expect([key, problems]).toEqual([key, []]);
        const commit = await target.gql(`mutation { commitImport(id: ${preview.body.id}) { status } }`);
        expect([key, commit.errors]).toEqual([key, undefined]);
      }
      for (const [form, month] of files) {
        const key = month ? `${form}-${month}` : form;
        const res = await request(target.app.getHttpServer()).get(`/exports/${form}?orgUnit=${COMMUNITY}${month ? `&date=${month}` : ''}`).set(target.auth).buffer(true).parse(binary);
        expect([key, await cells(res.body)]).toEqual([key, await cells(originals.get(key)!)]);
      }
    } finally {
      await target.close();
    }
  });
});

/** Every cell's value of the first sheet, row by row (the 填报日期 is the day of export: the same day here). */
async function cells(file: Buffer): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ExcelJS.Buffer);
  const ws = wb.worksheets[0];
  return Array.from({ length: ws.rowCount }, (_, i) => JSON.stringify(ws.getRow(i + 1).values));
}
