import { countRows, GRID, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = `mutation Upsert($input: UpsertResidentInput!) { upsertResident(input: $input) { id version phone } }`;

describe(`concurrent editors (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
  });
  afterAll(() => t.close());

  async function create(id: string) {
    const res = await t.gql(UPSERT, { input: { idNumber: id, gridCode: GRID, name: '周敏', currentAddress: '桥北路9号' } });
    expect(res.errors).toBeUndefined();
    return res.data.upsertResident;
  }

  async function race(id: string, version: number, editors: number) {
    const phones = Array.from({ length: editors }, (_, i) => `139${String(10000000 + i).slice(-8)}`);
    const results = await Promise.all(phones.map((phone) => t.gql(UPSERT, { input: { idNumber: id, expectedVersion: version, phone } })));
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(editors - 1);
    for (const l of losers) {
      expect(l.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: version + 1, expectedVersion: version });
      expect(l.errors![0].extensions.current.phone).toBe(winners[0].data.upsertResident.phone);
    }
    const [row] = await t.dataSource.query(`SELECT phone, version FROM residents WHERE id_number = '${id}'`);
    expect(row).toEqual({ phone: winners[0].data.upsertResident.phone, version: version + 1 });
  }

  it('two editors saving from the same version: one wins, the other gets CONFLICT with the current version', async () => {
    const id = idNumber('500106', '19600101', 11);
    const r = await create(id);
    await race(id, r.version, 2);
  });

  it('fifty editors saving from the same version: exactly one wins', async () => {
    const id = idNumber('500106', '19610101', 13);
    const r = await create(id);
    await race(id, r.version, 50);
  });

  it('twenty parallel creates of one ID number: one resident, nineteen DUPLICATE errors', async () => {
    const id = idNumber('500106', '19620101', 15);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.gql(UPSERT, { input: { idNumber: id, gridCode: GRID, name: `并发${i}`, currentAddress: `并发路${i % 3}号` } })),
    );
    const ok = results.filter((r) => !r.errors);
    const dup = results.filter((r) => r.errors);
    expect(ok).toHaveLength(1);
    expect(dup).toHaveLength(19);
    for (const d of dup) {
      expect(d.errors![0].extensions).toMatchObject({ code: 'DUPLICATE', path: ['input', 'idNumber'] });
      expect(d.errors![0].message).toMatch(/已登记/);
    }
    const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM residents WHERE id_number = '${id}'`);
    expect(Number(n)).toBe(1);
    // Households of the losers were rolled back with them.
    const [{ h }] = await t.dataSource.query(`SELECT COUNT(*) AS h FROM households WHERE current_address LIKE '并发路%'`);
    expect(Number(h)).toBe(1);
    expect(await countRows(t.dataSource, 'residents')).toBe(3);
  });
});
