import Database from 'better-sqlite3';
import request from 'supertest';
import type { SqliteGate } from '../../src/database/sqlite-gate.js';
import { SQLITE_GATE } from '../../src/database/unit-of-work.js';
import { GRID, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = `mutation Upsert($input: UpsertResidentInput!) { upsertResident(input: $input) { id idNumber } }`;

/**
 * A full disk, made deterministic with SQLite's page limit on the writer connection: saves that fail say
 * STORAGE_FULL (503, Retry-After), nothing acknowledged is lost, and once there is room again writes succeed
 * without a restart — checked through a connection of its own, as a restarted server would read the file.
 * (PostgreSQL's counterpart, the database going away under load, is database-outage.spec.ts.)
 */
(isPostgres() ? describe.skip : describe)('a full disk on SQLite', () => {
  let t: TestApp;
  let gate: SqliteGate;
  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
    gate = t.app.get(SQLITE_GATE);
  });
  afterAll(() => t.close());

  const save = (i: number) =>
    request(t.app.getHttpServer())
      .post('/graphql')
      .set(t.auth)
      .send({ query: UPSERT, variables: { input: { idNumber: idNumber('500106', '19500101', 100 + i), gridCode: GRID, name: `居民${i}`, currentAddress: `桥北路${i}号附${'楼'.repeat(150)}`, remarks: '备注'.repeat(200) } } });

  it('answers STORAGE_FULL, loses no acknowledged save, and recovers without a restart', async () => {
    const [{ page_count: pages }] = gate.connection.pragma('page_count') as { page_count: number }[];
    gate.connection.pragma(`max_page_count = ${pages + 12}`);
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let i = 0;
    for (; i < 400 && refused.length < 10; i++) {
      const res = await save(i);
      const id = idNumber('500106', '19500101', 100 + i);
      if (res.status === 200 && !res.body.errors) acknowledged.push(id);
      else {
        expect([res.status, res.body.errors?.[0]?.extensions?.code]).toEqual([503, 'STORAGE_FULL']);
        expect(res.headers['retry-after']).toBe('60');
        expect(res.body.errors[0].extensions).toMatchObject({ code: 'STORAGE_FULL' });
        expect(res.body.errors[0].extensions.requestId).toBe(res.headers['x-request-id']);
        expect(res.body.errors[0].message).toMatch(/存储空间已满/);
        refused.push(id);
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refused.length).toBe(10);
    expect(gate.connection.inTransaction).toBe(false);

    // Space is freed: the next saves go through, on the same server.
    gate.connection.pragma('max_page_count = 1073741823');
    for (let k = 0; k < 20; k++, i++) {
      const res = await save(i);
      expect(res.body.errors).toBeUndefined();
      acknowledged.push(idNumber('500106', '19500101', 100 + i));
    }

    // What a restarted server would find: every acknowledged save with its audit line, nothing of the refused ones.
    const file = new Database(t.config.database.kind === 'sqlite' ? t.config.database.sqlitePath : '', { readonly: true });
    try {
      const stored = new Set((file.prepare('SELECT id_number FROM residents').all() as { id_number: string }[]).map((r) => r.id_number));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(refused.filter((id) => stored.has(id))).toEqual([]);
      const { n } = file.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'resident' AND action = 'create'").get() as { n: number };
      expect(n).toBe(acknowledged.length);
    } finally {
      file.close();
    }
  });
});
