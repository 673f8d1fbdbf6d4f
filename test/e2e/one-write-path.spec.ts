import ExcelJS from 'exceljs';
import request from 'supertest';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { todayIso } from '../../src/identity/index.js';
import { COMMUNITY, GRID, GRID_2, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = 'mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id version } }';
const READ = 'query ($id: String!) { resident(idNumber: $id) { id version gridCode currentAddress phone household { id } } }';
const F05 = { idNumber: 5, phone: 13, currentAddress: 14, gridName: 15 };

interface Entry {
  action: string;
  source: string;
  changes: { field: string; label: string; before: unknown; after: unknown }[];
}

/**
 * The form, the API and imports change the ledger through the same commands (src/ledger/commands): the same change
 * made either way leaves the same households and the same kind of audit line.
 */
describe(`one write path for the API and imports (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const byApi = idNumber('500106', '19500101', 31);
  const byImport = idNumber('500106', '19500202', 51);
  const housemates = [idNumber('500106', '19600101', 71), idNumber('500106', '19600202', 91)];
  const newcomer = idNumber('500106', '19700303', 12);
  const newcomerHost = idNumber('500106', '19700404', 34);

  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
    const register = async (id: string, name: string, gridCode: string, currentAddress: string, disabled: boolean) => {
      const disability = disabled ? { disabilityCategory: '4', disabilityGrade: '2' } : {};
      const res = await t.gql(UPSERT, { i: { idNumber: id, gridCode, name, currentAddress, phone: '13711112222', ...disability } });
      expect(res.errors).toBeUndefined();
    };
    await register(byApi, '甲老人', GRID, '桥北路1号', true);
    await register(byImport, '乙老人', GRID, '桥北路2号', true);
    await register(housemates[0], '甲的新邻居', GRID_2, '新街1号', false);
    await register(housemates[1], '乙的新邻居', GRID_2, '新街2号', false);
  });
  afterAll(() => t.close());

  const read = async (id: string) => (await t.gql(READ, { id })).data.resident;
  const audit = async (recordId: number): Promise<Entry[]> =>
    (await t.gql(`{ auditLog(entity: "resident", recordId: ${recordId}) { action source changes { field label before after } } }`)).data.auditLog;
  const households = async (address: string) => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM households WHERE current_address = '${address}'`))[0].n);

  /** The community's F05 as exported, with one resident's row edited as a person would in Excel. */
  async function editedF05(id: string, edit: Record<number, string>): Promise<Buffer> {
    const res = await request(t.app.getHttpServer()).get(`/exports/F05?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    const ws = wb.worksheets[0];
    let found = false;
    ws.eachRow((row) => {
      if (row.getCell(F05.idNumber).value !== id) return;
      for (const [column, value] of Object.entries(edit)) row.getCell(Number(column)).value = value;
      found = true;
    });
    expect(found).toBe(true);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async function importF05(file: Buffer): Promise<void> {
    const preview = await request(t.app.getHttpServer()).post('/imports').set(t.auth).field('form', 'F05').field('orgUnit', COMMUNITY).attach('file', file, 'F05.xlsx');
    expect(preview.status).toBe(201);
    const commit = await t.gql(`mutation { commitImport(id: ${preview.body.id}, onConflict: "take") { status } }`);
    expect(commit.errors).toBeUndefined();
  }

  it('moves a resident to the household at a new address in another grid, and deletes the one left empty, either way', async () => {
    const a = await read(byApi);
    const b = await read(byImport);
    const [hostA, hostB] = [await read(housemates[0]), await read(housemates[1])];

    const moved = await t.gql(UPSERT, { i: { idNumber: byApi, expectedVersion: a.version, gridCode: GRID_2, currentAddress: '新街1号', phone: '13900000001' } });
    expect(moved.errors).toBeUndefined();
    await importF05(await editedF05(byImport, { [F05.gridName]: '第二网格', [F05.currentAddress]: '新街2号', [F05.phone]: '13900000002' }));

    const [a2, b2] = [await read(byApi), await read(byImport)];
    expect(a2).toMatchObject({ gridCode: GRID_2, currentAddress: '新街1号', phone: '13900000001', version: a.version + 1, household: { id: hostA.household.id } });
    expect(b2).toMatchObject({ gridCode: GRID_2, currentAddress: '新街2号', phone: '13900000002', version: b.version + 1, household: { id: hostB.household.id } });
    expect([await households('桥北路1号'), await households('桥北路2号')]).toEqual([0, 0]);

    // One audit line each, alike but for where the change came from and its values.
    const [lineA] = await audit(a.id);
    const [lineB] = await audit(b.id);
    expect(lineA).toMatchObject({ action: 'update', source: 'api' });
    expect(lineB).toMatchObject({ action: 'update', source: 'import' });
    const shape = (e: Entry) => e.changes.map((c) => `${c.field}:${c.label}`).sort();
    expect(shape(lineB)).toEqual(shape(lineA));
    expect(lineA.changes.map((c) => c.field).sort()).toEqual(['currentAddress', 'gridCode', 'phone']);
    expect(lineB.changes).toEqual(expect.arrayContaining([{ field: 'currentAddress', label: '现居住地址', before: '桥北路2号', after: '新街2号' }, expect.objectContaining({ field: 'gridCode', before: GRID, after: GRID_2 })]));
  });

  it('registers a newcomer from a file into the household already at their address, audited as the API audits a registration', async () => {
    const address = '同心路8号';
    for (const [id, name, disabled] of [[newcomerHost, '户主', false], [newcomer, '新来的', true]] as const) {
      const res = await t.gql(UPSERT, { i: { idNumber: id, gridCode: GRID_2, name, currentAddress: address, phone: '13711113333', ...(disabled ? { disabilityCategory: '1', disabilityGrade: '3' } : {}) } });
      expect(res.errors).toBeUndefined();
    }
    const first = await read(newcomer);
    const [registration] = await audit(first.id);
    const file = await editedF05(newcomer, {});
    // Gone from the ledger (its household stays: the host lives there), then back from the department's file.
    await t.app.get(UnitOfWork).run((m) => m.query(`DELETE FROM residents WHERE id = ${Number(first.id)}`));
    await importF05(file);

    const back = await read(newcomer);
    expect(back.id).not.toBe(first.id);
    expect(back).toMatchObject({ gridCode: GRID_2, currentAddress: address, household: { id: (await read(newcomerHost)).household.id } });
    expect(await households(address)).toBe(1);
    const [imported] = await audit(back.id);
    expect(registration).toMatchObject({ action: 'create', source: 'api' });
    expect(imported).toMatchObject({ action: 'create', source: 'import' });
    // The file says more (its other columns), never less, and the same of what both say: 登记日期 and the grid included.
    expect(imported.changes).toEqual(expect.arrayContaining(registration.changes));
    expect(imported.changes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'registeredOn', after: todayIso() }), expect.objectContaining({ field: 'gridCode', after: GRID_2 })]));
  });
});
