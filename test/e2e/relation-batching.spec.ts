import { jest } from '@jest/globals';
import { GRID } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * Relation fields load in batches: a page of households with their members, the members' households, grids,
 * liaison staff and visits, and the visits' staff and residents, costs a few queries whatever the page's size,
 * with the same answers as the records in the database (read here by plain SQL).
 */
describe(`relation fields in batches (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
  });
  afterAll(() => t.close());

  const QUERY = `query ($grid: String!, $first: Int!) { households(gridCode: $grid, first: $first) {
    id currentAddress
    members { id name grid { code } household { id currentAddress } liaisonStaff { id staffName }
      visits { id visitDate staff { id staffName } resident { id household { id } } } } } }`;

  async function run(first: number): Promise<{ data: any; statements: number }> {
    let statements = 0;
    // The request's own bookkeeping (transaction control, the per-minute request count kept in PostgreSQL for several
    // servers) is the same for any page: what is counted is the reading.
    // Background work of the same process (the webhook poll, the replica probe) logs through the same logger too.
    const bookkeeping = /^\s*(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b|\brequest_counts\b|\b(webhooks?|webhook_\w+|feed_\w+)\b|pg_last_|pg_is_in_recovery/i;
    const spy = jest.spyOn(t.dataSource.logger, 'logQuery').mockImplementation((query: string) => void (bookkeeping.test(query) ? 0 : statements++));
    try {
      const res = await t.gql(QUERY, { grid: GRID, first });
      expect(res.errors).toBeUndefined();
      return { data: res.data.households, statements };
    } finally {
      spy.mockRestore();
    }
  }

  it('answers a page of households with every relation in a few queries, as the database holds them', async () => {
    const half = await run(5);
    const large = await run(100);
    expect(large.data.length).toBeGreaterThan(15);
    // One query per kind and level (households, members, their grids, households, staff, visits, visit staff,
    // visit residents, their households), plus the request's own (account lookup): not one per parent.
    expect(large.statements).toBeLessThanOrEqual(14);
    expect(large.statements).toBeLessThanOrEqual(half.statements + 4); // the small page may lack some kinds (no visits)

    const members = await t.dataSource.query(`SELECT r.id, r.name, r.household_id, r.liaison_staff_id, h.current_address FROM residents r JOIN households h ON h.id = r.household_id WHERE h.grid_code = '${GRID}'`);
    const visits = await t.dataSource.query(`SELECT v.id, v.resident_id, v.staff_id, s.staff_name FROM visits v JOIN residents r ON r.id = v.resident_id JOIN staff s ON s.id = v.staff_id WHERE r.grid_code = '${GRID}'`);
    const staff = new Map((await t.dataSource.query('SELECT id, staff_name FROM staff')).map((s: any) => [Number(s.id), s.staff_name]));
    let seenVisits = 0;
    for (const h of large.data) {
      const expected = members.filter((m: any) => Number(m.household_id) === Number(h.id));
      expect(h.members.map((m: any) => Number(m.id)).sort((a: number, b: number) => a - b)).toEqual(expected.map((m: any) => Number(m.id)).sort((a: number, b: number) => a - b));
      for (const m of h.members) {
        expect(m.grid.code).toBe(GRID);
        expect(m.household).toEqual({ id: h.id, currentAddress: h.currentAddress });
        const row = expected.find((e: any) => Number(e.id) === Number(m.id));
        expect(m.liaisonStaff?.staffName ?? null).toBe(row.liaison_staff_id ? staff.get(Number(row.liaison_staff_id)) : null);
        const mine = visits.filter((v: any) => Number(v.resident_id) === Number(m.id));
        expect(m.visits.map((v: any) => Number(v.id)).sort()).toEqual(mine.map((v: any) => Number(v.id)).sort());
        for (const v of m.visits) {
          expect(v.staff.staffName).toBe(mine.find((x: any) => Number(x.id) === Number(v.id)).staff_name);
          expect(v.resident).toEqual({ id: m.id, household: { id: h.id } });
          seenVisits++;
        }
      }
    }
    expect(seenVisits).toBeGreaterThan(2);
    expect(members.length).toBeGreaterThan(40);
  });
});
