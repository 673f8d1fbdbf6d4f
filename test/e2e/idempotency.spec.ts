import pg from 'pg';
import request from 'supertest';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { IdempotencyService } from '../../src/idempotency/idempotency.service.js';
import { GRID, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const VISIT = `mutation Visit($i: RecordVisitInput!) { recordVisit(input: $i) { id visitDate visitMethod resident { name } } }`;
type Auth = { Authorization: string };

describe(`idempotent writes (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let staffId: number;
  const elderId = idNumber('500106', '19400101', 22);
  let day = 0;

  beforeAll(async () => {
    t = await createTestApp();
    staffId = (await insertOrgFixture(t.dataSource)).gridWorkerId;
    const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }`, {
      i: { idNumber: elderId, gridCode: GRID, name: '吴婆婆', currentAddress: '桥北路1号', livingArrangement: '1' },
    });
    expect(res.errors).toBeUndefined();
  });
  afterAll(() => t.close());

  /** Each test visits on its own date, so its visits can be counted alone. */
  const nextDate = () => `2026-01-${String(++day).padStart(2, '0')}`;
  const visit = (visitDate: string, extra: Record<string, unknown> = {}) => ({ i: { residentIdNumber: elderId, staffId, visitDate, visitMethod: '1', disposition: '3', ...extra } });
  const send = (app: TestApp, auth: Auth, variables: Record<string, unknown>, key?: string) => {
    const req = request(app.app.getHttpServer()).post('/graphql').set(auth);
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send({ query: VISIT, variables, operationName: 'Visit' });
  };
  const visitsOn = async (date: string) => {
    const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM visits WHERE visit_date = '${date}'`);
    return Number(n);
  };
  const run = (app: TestApp, sql: string) => app.app.get(UnitOfWork).run((m) => m.query(sql));
  /** Triggers standing in for a failing or slow database: made by the schema's owner (the app's role may not). */
  const asOwner = async (sql: string) => {
    const db = t.config.database;
    if (db.kind === 'sqlite') return run(t, sql);
    const owner = new pg.Client({ connectionString: db.ownerUrl });
    await owner.connect();
    try {
      await owner.query(sql);
    } finally {
      await owner.end();
    }
  };
  /** Environment pointing a second app (a restarted server, another process) at this test's database. */
  const sameDatabase = (): NodeJS.ProcessEnv => {
    const db = t.config.database;
    return db.kind === 'sqlite' ? { SQLITE_PATH: db.sqlitePath } : { DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl };
  };

  it('five identical recordVisit calls with one key make one visit and get five identical answers', async () => {
    const date = nextDate();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await send(t, t.auth, visit(date), 'visit-retry-0001'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[0].body.errors).toBeUndefined();
    expect(answers[0].body.data.recordVisit).toMatchObject({ visitDate: date, resident: { name: '吴婆婆' } });
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.map((a) => a.headers['idempotent-replayed'])).toEqual([undefined, 'true', 'true', 'true', 'true']);
    expect(await visitsOn(date)).toBe(1);

    // Without a key each call is a new visit (the header is what makes a retry safe).
    await send(t, t.auth, visit(date));
    await send(t, t.auth, visit(date));
    expect(await visitsOn(date)).toBe(3);
  });

  it('refuses the same key with a different request (IDEMPOTENCY_KEY_REUSED, 422) and does nothing', async () => {
    const [first, other] = [nextDate(), nextDate()];
    expect((await send(t, t.auth, visit(first), 'reused-key-0001')).body.errors).toBeUndefined();
    for (const variables of [visit(other), visit(first, { visitMethod: '2' })]) {
      const res = await send(t, t.auth, variables, 'reused-key-0001');
      expect(res.status).toBe(422);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(res.body.errors[0].message).toMatch(/Idempotency-Key 已用于另一项/);
    }
    expect(await visitsOn(other)).toBe(0);
    expect(await visitsOn(first)).toBe(1);
  });

  it('runs concurrent identical requests once, within one process and across two', async () => {
    const date = nextDate();
    const together = await Promise.all(Array.from({ length: 6 }, () => send(t, t.auth, visit(date), 'concurrent-0001')));
    expect(together.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(together.map((r) => r.text)).size).toBe(1);
    expect(together.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await visitsOn(date)).toBe(1);

    // A second server process on the same database: retries landing on either run the visit once.
    const second = await createTestApp({ database: 'second', env: sameDatabase() });
    try {
      const other = nextDate();
      const answers = await Promise.all([0, 1, 2, 3].map((i) => send(i % 2 ? second : t, i % 2 ? second.auth : t.auth, visit(other), 'two-processes-01')));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(answers.map((r) => r.text)).size).toBe(1);
      expect(await visitsOn(other)).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('keeps each account’s keys apart', async () => {
    const date = nextDate();
    const worker = await t.as({ username: 'grid-worker-idem', role: 'grid_worker', orgUnitCode: GRID });
    const mine = await send(t, t.auth, visit(date), 'shared-key-0001');
    const theirs = await send(t, worker.auth, visit(date), 'shared-key-0001');
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.data.recordVisit.id).not.toBe(mine.body.data.recordVisit.id);
    expect(await visitsOn(date)).toBe(2);
    // A different request under the same key is no reuse either: the key is the other account's own.
    const otherDate = nextDate();
    expect((await send(t, worker.auth, visit(otherDate), 'another-key-0001')).body.errors).toBeUndefined();
    expect((await send(t, t.auth, visit(nextDate()), 'another-key-0001')).body.errors).toBeUndefined();
  });

  it('refuses a malformed key with IDEMPOTENCY_KEY_INVALID (400) and accepts 8 to 128 characters of the allowed set', async () => {
    const date = nextDate();
    for (const key of ['short7x', 'has space 1234', 'x'.repeat(129), 'slash/in/key123', 'semi;colon1234']) {
      const res = await send(t, t.auth, visit(date), key);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_INVALID');
      expect(res.body.errors[0].message).toMatch(/Idempotency-Key 格式不正确/);
    }
    expect(await visitsOn(date)).toBe(0);
    for (const key of ['exactly8', `${'A1_.:-'.repeat(21)}zz`]) {
      const res = await send(t, t.auth, visit(date), key);
      expect(res.body.errors).toBeUndefined();
    }
    expect(await visitsOn(date)).toBe(2);
  });

  it('ignores the header where there is no account (login) or no write (queries)', async () => {
    const login = await request(t.app.getHttpServer()).post('/graphql').set('Idempotency-Key', 'not valid but ignored')
      .send({ query: `mutation { login(username: "tester", password: "wrong-password-1") { token } }` });
    expect(login.body.errors[0].extensions.code).not.toMatch(/^IDEMPOTENCY/);
    const query = await request(t.app.getHttpServer()).post('/graphql').set(t.auth).set('Idempotency-Key', 'query-key-0001')
      .send({ query: `{ resident(idNumber: "${elderId}") { name } }` });
    expect(query.body.data.resident.name).toBe('吴婆婆');
    expect((await request(t.app.getHttpServer()).post('/graphql').set(t.auth).set('Idempotency-Key', 'query-key-0001').send({ query: `{ orgUnits { code } }` })).body.errors).toBeUndefined();
  });

  it('replays a refusal that would repeat (VALIDATION_FAILED) but forgets a transient failure, so the retry runs', async () => {
    const invalid = visit(nextDate(), { staffId: 99999 });
    const bad = await send(t, t.auth, invalid, 'invalid-input-01');
    const again = await send(t, t.auth, invalid, 'invalid-input-01');
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(again.text).toBe(bad.text);
    expect(again.headers['idempotent-replayed']).toBe('true');

    const date = nextDate();
    // The storage fails under the insert: disk full on PostgreSQL (SQLSTATE 53100); on SQLite an error the app does not know.
    if (isPostgres()) {
      await asOwner(`CREATE FUNCTION idem_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '53100'; END $$`);
      await asOwner(`CREATE TRIGGER idem_fail BEFORE INSERT ON visits FOR EACH ROW EXECUTE FUNCTION idem_fail()`);
    } else {
      await asOwner(`CREATE TRIGGER idem_fail BEFORE INSERT ON visits BEGIN SELECT RAISE(ABORT, 'simulated'); END`);
    }
    try {
      const failed = await send(t, t.auth, visit(date), 'transient-0001');
      expect(failed.body.errors[0].extensions.code).toBe(isPostgres() ? 'STORAGE_FULL' : 'INTERNAL_SERVER_ERROR');
      if (isPostgres()) expect(failed.status).toBe(503);
    } finally {
      await asOwner('DROP TRIGGER idem_fail' + (isPostgres() ? ' ON visits' : ''));
    }

    const retried = await send(t, t.auth, visit(date), 'transient-0001');
    expect(retried.body.errors).toBeUndefined();
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await visitsOn(date)).toBe(1);
    expect((await send(t, t.auth, visit(date), 'transient-0001')).text).toBe(retried.text);
  });

  it('answers IDEMPOTENCY_KEY_IN_PROGRESS (409, Retry-After) while the first is running, and takes over once its lease lapsed', async () => {
    const date = nextDate();
    const first = await send(t, t.auth, visit(date), 'in-progress-0001');
    // As if the first request were still running in another process (its owner renewing the lease).
    const future = new Date(Date.now() + 60_000);
    await run(t, `UPDATE idempotency_keys SET state = 'running', response_status = NULL, response_body = NULL, lease_until = ${instant(future)} WHERE idempotency_key = 'in-progress-0001'`);
    const timing = t.app.get(IdempotencyService).timing;
    const wait = timing.waitMs;
    timing.waitMs = 700;
    try {
      const started = Date.now();
      const busy = await send(t, t.auth, visit(date), 'in-progress-0001');
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(busy.status).toBe(409);
      expect(busy.body.errors[0].extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS', retryAfterSeconds: expect.any(Number) });
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
      expect(await visitsOn(date)).toBe(1);

      // Its owner died: once the lease has lapsed, a retry runs the request and its answer is kept from then on.
      await run(t, `UPDATE idempotency_keys SET lease_until = ${instant(new Date(Date.now() - 1000))} WHERE idempotency_key = 'in-progress-0001'`);
      const taken = await send(t, t.auth, visit(date), 'in-progress-0001');
      expect(taken.body.errors).toBeUndefined();
      expect(taken.body.data.recordVisit.id).not.toBe(first.body.data.recordVisit.id);
      expect((await send(t, t.auth, visit(date), 'in-progress-0001')).text).toBe(taken.text);
      expect(await visitsOn(date)).toBe(2);
    } finally {
      timing.waitMs = wait;
    }
  });

  (isPostgres() ? it : it.skip)('keeps a slow request’s key while it runs (the lease is renewed), so a retry waits for it', async () => {
    const date = nextDate();
    await asOwner(`CREATE FUNCTION idem_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NEW; END $$`);
    await asOwner(`CREATE TRIGGER idem_slow BEFORE INSERT ON visits FOR EACH ROW EXECUTE FUNCTION idem_slow()`);
    const timing = t.app.get(IdempotencyService).timing;
    const saved = { ...timing };
    Object.assign(timing, { leaseMs: 400, renewMs: 100, waitMs: 5000 });
    try {
      const slow = send(t, t.auth, visit(date), 'slow-request-01').then((r) => r); // supertest sends on then()
      await new Promise((resolve) => setTimeout(resolve, 700));
      const retry = await send(t, t.auth, visit(date), 'slow-request-01');
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.text).toBe((await slow).text);
      expect(await visitsOn(date)).toBe(1);
    } finally {
      Object.assign(timing, saved);
      await asOwner('DROP TRIGGER idem_slow ON visits');
    }
  });

  it('keeps keys across a restart for at least 24 hours, then deletes them', async () => {
    const date = nextDate();
    const before = await send(t, t.auth, visit(date), 'restart-key-0001');
    const oldDate = nextDate();
    await send(t, t.auth, visit(oldDate), 'expired-key-0001');
    const hours = (h: number) => instant(new Date(Date.now() - h * 3600_000));
    await run(t, `UPDATE idempotency_keys SET created_at = ${hours(23)} WHERE idempotency_key = 'restart-key-0001'`);
    await run(t, `UPDATE idempotency_keys SET created_at = ${hours(25)} WHERE idempotency_key = 'expired-key-0001'`);
    await t.close();

    t = await createTestApp({ database: 'restarted', env: sameDatabase() });
    const after = await send(t, t.auth, visit(date), 'restart-key-0001');
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.text).toBe(before.text);
    expect(await visitsOn(date)).toBe(1);
    // Older than a day: deleted (the first keyed request of a process purges), so the key is free again.
    const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM idempotency_keys WHERE idempotency_key = 'expired-key-0001'`);
    expect(Number(n)).toBe(0);
    const reused = await send(t, t.auth, visit(nextDate()), 'expired-key-0001');
    expect(reused.body.errors).toBeUndefined();
  });

  /** An instant as an SQL literal comparable with the table's instants. */
  function instant(d: Date): string {
    return isPostgres() ? `'${d.toISOString()}'::timestamptz` : `'${d.toISOString()}'`;
  }
});
