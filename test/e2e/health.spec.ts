import request from 'supertest';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/** Health for load balancers: no login, no personal data, one status per check, 503 when not ready. */
describe(`health (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('answers live and ready without a login, with one status per check', async () => {
    t = await createTestApp();
    const live = await request(t.app.getHttpServer()).get('/health/live');
    expect([live.status, live.body.status]).toEqual([200, 'live']);
    const ready = await request(t.app.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks.database.status).toBe('ok');
    expect(ready.body.checks.migrations.status).toBe('ok');
    expect(ready.headers['cache-control']).toBe('no-store');
    if (!isPostgres()) expect(ready.body.checks.disk).toMatchObject({ status: 'ok', thresholdMb: 100 });
    // Many probes a minute never count against a rate limit.
    const probes = await Promise.all(Array.from({ length: 30 }, () => request(t.app.getHttpServer()).get('/health/ready')));
    expect(probes.every((p) => p.status === 200)).toBe(true);
  });

  (isPostgres() ? it.skip : it)('is not ready when the database disk has less free space than MIN_FREE_DISK_MB', async () => {
    t = await createTestApp({ env: { MIN_FREE_DISK_MB: '1000000' } });
    const ready = await request(t.app.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('not_ready');
    expect(ready.body.checks.disk.status).toBe('fail');
    expect(ready.body.checks.disk.message).toMatch(/剩余 \d+ MB，低于 1000000 MB/);
    expect(ready.body.checks.database.status).toBe('ok');
  });

  it('is not ready while a migration is pending', async () => {
    t = await createTestApp();
    const newest = await t.dataSource.query('SELECT name FROM migrations ORDER BY id DESC LIMIT 1');
    const owner = (t.config.database.kind === 'postgres' ? t.config.database.ownerUrl : null);
    // The migrations table is the owner's: forget the newest migration through the owner's connection (or SQLite's file).
    if (owner) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: owner });
      await client.connect();
      await client.query('DELETE FROM migrations WHERE name = $1', [newest[0].name]);
      await client.end();
    } else {
      await t.dataSource.transaction((m) => m.query('DELETE FROM migrations WHERE name = ?', [newest[0].name]));
    }
    const ready = await request(t.app.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.migrations).toMatchObject({ status: 'fail', pending: [newest[0].name] });
  });
});
