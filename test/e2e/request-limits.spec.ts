import { RequestCountRepository } from '../../src/auth/request-count.repository.js';
import { DatabaseRequestLimiter, RequestLimiter } from '../../src/auth/request-limiter.js';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * The request limit counted in the database (request_counts), on both databases: the store several PostgreSQL
 * servers share. The server uses it on PostgreSQL; a SQLite file belongs to one process, which counts in memory.
 */
describe(`request limits in the database (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let now = Date.parse('2026-11-25T08:00:00.000Z');
  const limiter = (limit: number) => new DatabaseRequestLimiter(t.app.get(RequestCountRepository), t.app.get(UnitOfWork), limit, 60_000, () => now);
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lets `limit` requests pass in a window, refuses the rest until it ends, then starts a new one', async () => {
    const limits = limiter(3);
    expect([await limits.take('k1'), await limits.take('k1'), await limits.take('k1')]).toEqual([0, 0, 0]);
    now += 20_000;
    expect(await limits.take('k1')).toBe(40); // the window started 20 s ago and lasts 60 s
    expect(await limits.take('k2')).toBe(0); // another key has its own window
    now += 39_500;
    expect(await limits.take('k1')).toBe(1); // refused requests do not make the window longer
    now += 500;
    expect(await limits.take('k1')).toBe(0); // 60 s after its start: a new window with this request
    expect((await t.dataSource.query(`SELECT hits FROM request_counts WHERE "key" = 'k1'`))[0].hits).toBe(1);
  });

  it('counts concurrent requests once each: exactly `limit` pass', async () => {
    const limits = limiter(5);
    const waits = await Promise.all(Array.from({ length: 20 }, () => limits.take('burst')));
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    expect((await t.dataSource.query(`SELECT hits FROM request_counts WHERE "key" = 'burst'`))[0].hits).toBe(20);
  });

  it('is the server’s limiter on PostgreSQL; SQLite counts in memory', () => {
    expect(t.app.get(RequestLimiter) instanceof DatabaseRequestLimiter).toBe(isPostgres());
  });
});
