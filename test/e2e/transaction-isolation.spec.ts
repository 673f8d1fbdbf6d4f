import Database from 'better-sqlite3';
import pg from 'pg';
import request from 'supertest';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { COMMUNITY, GRID, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = `mutation Upsert($input: UpsertResidentInput!) { upsertResident(input: $input) { id version } }`;
const ORG_UNIT = `query ($code: String!) { orgUnit(code: $code) { code name } }`;

/** A promise and the function that settles it: holds a transaction open until the test lets it go. */
function latch(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const placeholders = (n: number) => Array.from({ length: n }, (_, i) => (isPostgres() ? `$${i + 1}` : '?')).join(', ');

/**
 * The leaks the SQLite driver's one shared connection caused (TypeORM #1884): another request's open transaction
 * seen by everyone, audit lines rolled back with someone else's failed transaction, "database is locked" while
 * another process writes. Each runs on both databases.
 */
describe(`transactions are isolated (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let unitOfWork: UnitOfWork;
  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
    unitOfWork = t.app.get(UnitOfWork);
  });
  afterAll(() => t.close());

  it("a request never sees another request's uncommitted rows, and a failed transaction leaves nothing", async () => {
    const code = `${COMMUNITY}009`;
    const held = latch();
    const inserted = latch();
    const transaction = unitOfWork.run(async (manager) => {
      await manager.query(`INSERT INTO org_units (code, name, level, parent_code, sort_order) VALUES (${placeholders(5)})`, [code, '未提交网格', 'grid', COMMUNITY, 9]);
      inserted.open();
      await held.wait;
      throw new Error('rolled back on purpose');
    });
    await inserted.wait;
    // The transaction is open, with its row written: other requests read the committed state only.
    const during = await t.gql(ORG_UNIT, { code });
    expect(during.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM org_units WHERE code = '${code}'`);
    expect(Number(n)).toBe(0);
    held.open();
    await expect(transaction).rejects.toThrow('rolled back on purpose');
    expect((await t.gql(ORG_UNIT, { code })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("an audit line written while another transaction is open survives that transaction's rollback", async () => {
    await t.as({ username: 'isolated', role: 'community_staff', orgUnitCode: COMMUNITY });
    const before = await loginLines('isolated');
    const held = latch();
    const inserted = latch();
    const transaction = unitOfWork.run(async (manager) => {
      await manager.query(`INSERT INTO org_units (code, name, level, parent_code, sort_order) VALUES (${placeholders(5)})`, [`${COMMUNITY}008`, '将回滚', 'grid', COMMUNITY, 8]);
      inserted.open();
      await held.wait;
      throw new Error('rolled back on purpose');
    });
    await inserted.wait;
    // A login meanwhile: its audit line is its own, not part of the open transaction.
    const login = t.login('isolated', 'test-password-2026');
    await new Promise((resolve) => setTimeout(resolve, 50));
    held.open();
    await expect(transaction).rejects.toThrow('rolled back on purpose');
    expect((await login).token).toBeTruthy();
    expect(await loginLines('isolated')).toBe(before + 1);
  });

  it('a write waits out another process holding the write lock for 2 s, and every write succeeds', async () => {
    const { released } = await holdWriteLock(2000);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        request(t.app.getHttpServer())
          .post('/graphql')
          .set(t.auth)
          .send({ query: UPSERT, variables: { input: { idNumber: idNumber('500106', '19700101', 100 + i), gridCode: GRID, name: '等锁', currentAddress: `桥北路${i}号` } } }),
      ),
    );
    await released;
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect(results.flatMap((r) => r.body.errors ?? [])).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it('reads are answered while another process holds the write lock', async () => {
    const { released } = await holdWriteLock(1500);
    const started = Date.now();
    const read = await t.gql(ORG_UNIT, { code: GRID });
    expect(read.data.orgUnit.code).toBe(GRID);
    expect(Date.now() - started).toBeLessThan(1000);
    await released;
  });

  async function loginLines(username: string): Promise<number> {
    const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'login' AND username = '${username}'`);
    return Number(n);
  }

  /** Another connection, as another process would, takes the write lock and keeps it for `ms`; resolves once taken. */
  async function holdWriteLock(ms: number): Promise<{ released: Promise<void> }> {
    if (isPostgres()) {
      const other = new pg.Client({ connectionString: t.config.database.kind === 'postgres' ? t.config.database.ownerUrl : '' });
      await other.connect();
      await other.query('BEGIN');
      await other.query('LOCK TABLE residents, households, audit_log IN EXCLUSIVE MODE');
      return {
        released: new Promise<void>((resolve) => setTimeout(resolve, ms)).then(async () => {
          await other.query('COMMIT');
          await other.end();
        }),
      };
    }
    const other = new Database(t.config.database.kind === 'sqlite' ? t.config.database.sqlitePath : '');
    other.exec('BEGIN IMMEDIATE');
    return {
      released: new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => {
        other.exec('COMMIT');
        other.close();
      }),
    };
  }
});
