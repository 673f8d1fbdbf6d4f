import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

describe(`database schema (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('runs every migration at start-up', async () => {
    const ran = await t.dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(ran.map((r: { name: string }) => r.name)).toEqual(t.dataSource.migrations.map((m) => m.name));
    expect(await t.dataSource.showMigrations()).toBe(false);
  });

  it('has exactly the schema the entities describe (entities and migrations agree)', async () => {
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has a column for every stored field of the dictionary', async () => {
    const residents = t.dataSource.getMetadata('Resident').columns.map((c) => c.databaseName);
    expect(residents).toEqual(expect.arrayContaining(['id_number', 'living_arrangement', 'disability_grade', 'liaison_staff_id']));
    expect(residents).not.toContain('gender'); // derived from the ID number, never stored
    expect(residents).not.toContain('birth_date');
  });

  (isPostgres() ? it.skip : it)('uses WAL and waits at least 5 s for a lock on SQLite', async () => {
    const [{ journal_mode }] = await t.dataSource.query('PRAGMA journal_mode');
    const [{ timeout }] = await t.dataSource.query('PRAGMA busy_timeout');
    expect(journal_mode).toBe('wal');
    expect(timeout).toBeGreaterThanOrEqual(5000);
  });

  (isPostgres() ? it : it.skip)('stores instants as timestamptz on PostgreSQL', async () => {
    const rows = await t.dataSource.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE column_name IN ('created_at', 'updated_at') ORDER BY 1, 2`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.data_type).toBe('timestamp with time zone');
  });
});
