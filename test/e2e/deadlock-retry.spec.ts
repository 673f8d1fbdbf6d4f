import { setTimeout as sleep } from 'node:timers/promises';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

// Saves in different grids bump those grids' summary versions (migration 1766100000000) and hold them to commit:
// two transactions taking two grids in opposite orders deadlock on PostgreSQL, which rolls one back. UnitOfWork runs
// the victim again, so both saves land. (SQLite has one writer: the second waits for the first, no deadlock.)
describe(`a deadlock victim runs again (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lands both of two transactions that lock the same two rows in opposite orders', async () => {
    const [a, b] = ['500106108001901', '500106108001902'];
    const unitOfWork = t.app.get(UnitOfWork);
    await unitOfWork.run((m) => m.query(`INSERT INTO grid_versions (grid_code, version) VALUES ('${a}', 1), ('${b}', 1)`));
    const bump = (grid: string) => `UPDATE grid_versions SET version = version + 1 WHERE grid_code = '${grid}'`;
    let runs = 0;
    let firstLocks = 0;
    // Each takes its first row, waits until the other holds its own (at most a moment: on SQLite the other cannot
    // start before this one commits), then asks for the other's row.
    const transaction = (first: string, second: string) =>
      unitOfWork.run(async (m) => {
        runs++;
        await m.query(bump(first));
        firstLocks++;
        for (let waited = 0; firstLocks < 2 && waited < 500; waited += 10) await sleep(10);
        await m.query(bump(second));
        return first;
      });
    const done = await Promise.all([transaction(a, b), transaction(b, a)]);
    expect(done).toEqual([a, b]);
    const rows: { grid_code: string; version: number | string }[] = await t.dataSource.query(`SELECT grid_code, version FROM grid_versions WHERE grid_code IN ('${a}', '${b}') ORDER BY grid_code`);
    // Each transaction bumped each row once, however often it ran: the rolled-back run left nothing.
    expect(rows.map((r) => [r.grid_code, Number(r.version)])).toEqual([[a, 3], [b, 3]]);
    // PostgreSQL chose a victim and it ran a second time; SQLite ran each once.
    expect(runs).toBe(isPostgres() ? 3 : 2);
  });
});
