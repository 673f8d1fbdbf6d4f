import pg from 'pg';
import request from 'supertest';
import { ReadRouting } from '../../src/database/read-routing.js';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { binary } from '../support/http.js';
import { freePort } from '../support/server-process.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * A real PostgreSQL streaming replica (`scripts/postgres.sh replica`, pg_basebackup -R from the suite's cluster;
 * .ci/run passes its URL as TEST_DATABASE_REPLICA_URL). Replay on the replica is paused to hold it back: a
 * department's pulls (formView, the typed queries, exports) then still show the old value — they read the replica —
 * while the community worker who saved sees the new one at once (read your writes), and readiness reports the lag.
 */
const replicaUrl = process.env.TEST_DATABASE_REPLICA_URL;
if (isPostgres() && process.env.CI && !replicaUrl) throw new Error('CI 的 PostgreSQL 测试须有只读副本：TEST_DATABASE_REPLICA_URL（见 .ci/run）');

const COMMUNITY = '500106108001';
const PASSWORD = 'yibiaotong2026';
const FORM_VIEW = `query ($first: Int) { formView(code: "F01", orgUnit: "${COMMUNITY}", first: $first) { columns { key } rows keys } }`;
const FEED = `query ($code: String!, $after: String) { formChanges(code: $code, orgUnit: "${COMMUNITY}", after: $after, first: 500) { columns { key } changes { kind key row } pageInfo { hasNextPage endCursor } } }`;
const TYPED = `{ elderlyLivingAlone(orgUnit: "${COMMUNITY}", first: 500) { rows { emergencyContactName } keys } }`;
const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { id version } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${ms} ms 内未等到：${what}`);
    await sleep(100);
  }
}

(isPostgres() && replicaUrl ? describe : describe.skip)('read replica (PostgreSQL with TEST_DATABASE_REPLICA_URL only)', () => {
  let t: TestApp;
  let replicaOwner: pg.Client;
  const ready = () => request(t.app.getHttpServer()).get('/health/ready');

  /**
   * Waits until the replica has replayed everything committed on the primary so far: a marker row written after it
   * is seen there (replay keeps the order of commits). Not "lag 0": the suite's cluster commits asynchronously
   * (scripts/postgres.sh), so a commit can return before the WAL position the lag is measured from includes it.
   */
  let markers = 0;
  const replicaCatchesUp = async (what: string) => {
    const marker = `replica-marker-${++markers}`;
    await t.dataSource.query(`INSERT INTO request_counts ("key", window_start, hits) VALUES ($1, now(), 1)`, [marker]);
    await until(what, async () => (await replicaOwner.query(`SELECT 1 FROM request_counts WHERE "key" = $1`, [marker])).rowCount === 1);
  };

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true, env: { DATABASE_REPLICA_URL: replicaUrl, REPLICA_MAX_LAG_SECONDS: '120' } });
    // The owner may pause and resume replay (granted by scripts/postgres.sh replica); the app's role may not.
    const url = new URL(replicaUrl!);
    url.username = new URL(process.env.DATABASE_OWNER_URL ?? process.env.DATABASE_URL!).username;
    replicaOwner = new pg.Client({ connectionString: url.toString() });
    await replicaOwner.connect();
    // The replica has replayed the fresh schema and the demo data, and the app reads it.
    await replicaCatchesUp('副本追上主库');
    await until('副本可读', async () => (await ready()).body.checks.replica?.servingReads);
  }, 180_000);
  afterAll(async () => {
    await replicaOwner?.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
    await replicaOwner?.end();
    await t?.close();
  });

  const login = async (username: string) => {
    const { token } = await t.login(username, PASSWORD);
    const auth = { Authorization: `Bearer ${token}` };
    const gql = async (query: string, variables?: Record<string, unknown>) => (await request(t.app.getHttpServer()).post('/graphql').set(auth).send({ query, variables })).body;
    return { auth, gql };
  };
  /** The F01 row of resident `key` as the form shows it to this viewer: its 紧急联系人 column. */
  const contactIn = async (gql: (q: string, v?: Record<string, unknown>) => Promise<any>, key: string) => {
    const res = await gql(FORM_VIEW, { first: 500 });
    expect(res.errors).toBeUndefined();
    const at = res.data.formView.columns.findIndex((c: { key: string }) => c.key === 'emergencyContactName');
    return res.data.formView.rows[res.data.formView.keys.indexOf(key)][at] as string;
  };

  it('reads views on the replica, writes and everything else on the primary', async () => {
    const reads = t.app.get(ReadRouting);
    const uow = t.app.get(UnitOfWork);
    const inRecovery = 'SELECT pg_is_in_recovery() AS r';
    expect((await reads.replica(undefined, () => t.dataSource.query(inRecovery)))[0].r).toBe(true);
    expect((await t.dataSource.query(inRecovery))[0].r).toBe(false);
    // A transaction opened inside a replica read still runs (and writes) on the primary.
    const inTransaction = await reads.replica(undefined, () => uow.run(async (m) => {
      await m.query(`INSERT INTO request_counts ("key", window_start, hits) VALUES ('replica-test', now(), 1)`);
      return (await m.query(inRecovery))[0].r;
    }));
    expect(inTransaction).toBe(false);
    expect(await t.dataSource.query(`SELECT hits FROM request_counts WHERE "key" = 'replica-test'`)).toEqual([{ hits: 1 }]);
  });

  it('a department pull is served by the replica while the writer sees its own save; readiness reports the lag', async () => {
    const department = await login('minzheng');
    const worker = await login('qiaobei');
    const first = await department.gql(FORM_VIEW, { first: 1 });
    expect(first.errors).toBeUndefined();
    const key = first.data.formView.keys[0] as string;
    const [resident] = await t.dataSource.query('SELECT id_number, version, emergency_contact_name FROM residents WHERE id = $1', [Number(key)]);
    const before = resident.emergency_contact_name as string;
    expect(await contactIn(department.gql, key)).toBe(before);

    await replicaOwner.query('SELECT pg_wal_replay_pause()');
    await until('回放已暂停', async () => (await replicaOwner.query('SELECT pg_is_wal_replay_paused() AS p')).rows[0].p);
    const after = `${before.slice(0, 1)}副本测`;
    const saved = await worker.gql(UPSERT, { input: { idNumber: resident.id_number, expectedVersion: resident.version, emergencyContactName: after } });
    expect(saved.errors).toBeUndefined();
    expect((await t.dataSource.query('SELECT emergency_contact_name FROM residents WHERE id = $1', [Number(key)]))[0].emergency_contact_name).toBe(after);

    // The page after the save: the worker's own view reads the primary (the replica lacks the worker's change).
    expect(await contactIn(worker.gql, key)).toBe(after);
    // The department reads the replica: the old value, in formView, the typed query and an export.
    expect(await contactIn(department.gql, key)).toBe(before);
    const typed = await department.gql(TYPED);
    expect(typed.data.elderlyLivingAlone.rows[typed.data.elderlyLivingAlone.keys.indexOf(key)].emergencyContactName).toBe(before);
    const csv = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${COMMUNITY}&format=csv`).set(department.auth).buffer(true).parse(binary);
    expect(csv.status).toBe(200);
    const text = csv.body.toString('utf8');
    expect(text).toContain(before);
    expect(text).not.toContain(after);

    const paused = await ready();
    expect(paused.status).toBe(200);
    expect(paused.body.checks.replica).toMatchObject({ status: 'ok', servingReads: true, paused: true, maxLagSeconds: 120 });
    expect(paused.body.checks.replica.lagBytes).toBeGreaterThan(0);
    expect(paused.body.checks.replica.lagSeconds).toBeGreaterThan(0);

    await replicaOwner.query('SELECT pg_wal_replay_resume()');
    await until('部门看到新值', async () => (await contactIn(department.gql, key)) === after);
    await until('延迟回到 0', async () => (await ready()).body.checks.replica.lagBytes === 0);
    expect((await ready()).body.checks.replica).toMatchObject({ status: 'ok', lagSeconds: 0, paused: false });
  });

  it('the change feed: a started feed is read on the replica (the old state while replay is paused), a start stays on the primary', async () => {
    const department = await login('minzheng');
    const worker = await login('qiaobei');
    const sync = async (code: string, after: string | null) => {
      const changes: { kind: string; key: string; row: unknown[] | null }[] = [];
      let cursor = after;
      for (;;) {
        const res = await department.gql(FEED, { code, after: cursor });
        expect(res.errors).toBeUndefined();
        changes.push(...res.data.formChanges.changes);
        cursor = res.data.formChanges.pageInfo.endCursor;
        if (!res.data.formChanges.pageInfo.hasNextPage) return { changes, cursor: cursor!, columns: res.data.formChanges.columns.map((c: { key: string }) => c.key) as string[] };
      }
    };
    // The first read starts F01's feed (on the primary): every row of the community, as formView has them.
    const start = await sync('F01', null);
    expect(start.changes.every((c) => c.kind === 'ENTERED')).toBe(true);
    const view = (await department.gql(FORM_VIEW, { first: 500 })).data.formView;
    expect(start.changes.map((c) => c.key).sort()).toEqual([...view.keys].sort());
    // The start was a write for the department's account: its reads wait on the primary until the replica has it.
    await replicaCatchesUp('副本有变更流的起点');
    expect((await sync('F01', start.cursor)).changes).toEqual([]);

    const key = start.changes[0].key;
    const [resident] = await t.dataSource.query('SELECT id_number, version, emergency_contact_name FROM residents WHERE id = $1', [Number(key)]);
    const after = `${String(resident.emergency_contact_name).slice(0, 1)}流副本`;
    await replicaOwner.query('SELECT pg_wal_replay_pause()');
    try {
      await until('回放已暂停', async () => (await replicaOwner.query('SELECT pg_is_wal_replay_paused() AS p')).rows[0].p);
      const saved = await worker.gql(UPSERT, { input: { idNumber: resident.id_number, expectedVersion: resident.version, emergencyContactName: after } });
      expect(saved.errors).toBeUndefined();
      // The primary's log has the change for that row; the replica's does not yet.
      const logged = 'SELECT COUNT(*)::int AS n FROM feed_changes WHERE form_code = $1 AND row_key = $2 AND row_values IS NOT NULL';
      const [{ n: onPrimaryLog }] = await t.dataSource.query(logged, ['F01', Number(key)]);
      expect(onPrimaryLog).toBe(2); // the start and the change
      expect((await replicaOwner.query(logged, ['F01', Number(key)])).rows[0].n).toBe(1);
      // The department's pull from its cursor is served by the replica: nothing new, the cursor stays usable.
      const held = await sync('F01', start.cursor);
      expect(held.changes).toEqual([]);

      // A form whose feed has not started (F02) starts on the primary even now (the replica is read-only and behind).
      const before = (await replicaOwner.query(`SELECT COUNT(*)::int AS n FROM feed_forms WHERE form_code = 'F02'`)).rows[0].n;
      expect(before).toBe(0);
      const f02 = await sync('F02', null);
      expect(f02.changes.length).toBeGreaterThan(0);
      expect(f02.changes.every((c) => c.kind === 'ENTERED')).toBe(true);
      expect(await t.dataSource.query(`SELECT form_code FROM feed_forms WHERE form_code = 'F02'`)).toEqual([{ form_code: 'F02' }]);
    } finally {
      await replicaOwner.query('SELECT pg_wal_replay_resume()');
    }
    // After the resume the department catches up from the cursor it held: exactly the change, with the new value.
    const caught = await until('部门的变更流追上', async () => {
      const got = await sync('F01', start.cursor);
      return got.changes.length ? got : null;
    });
    expect(caught.changes.map((c) => [c.kind, c.key])).toEqual([['CHANGED', key]]);
    expect(caught.changes[0].row![caught.columns.indexOf('emergencyContactName')]).toBe(after);
  });

  it('a replica further behind than REPLICA_MAX_LAG_SECONDS is not read: the department sees the primary', async () => {
    const reads = t.app.get(ReadRouting);
    const config = (reads as unknown as { replicaConfig: { maxLagSeconds: number } }).replicaConfig;
    const department = await login('minzheng');
    const key = (await department.gql(FORM_VIEW, { first: 1 })).data.formView.keys[0] as string;
    const [resident] = await t.dataSource.query('SELECT id_number, version, emergency_contact_name FROM residents WHERE id = $1', [Number(key)]);
    await replicaOwner.query('SELECT pg_wal_replay_pause()');
    try {
      const admin = await t.gql(UPSERT, { input: { idNumber: resident.id_number, expectedVersion: resident.version, emergencyContactName: '滞后测' } });
      expect(admin.errors).toBeUndefined();
      config.maxLagSeconds = 0.5; // the lag grows from the write on; a second later the replica is too far behind
      await until('副本被判定为落后过多', async () => (await ready()).body.checks.replica.status === 'degraded');
      const degraded = await ready();
      expect(degraded.status).toBe(200); // still ready: the primary answers the reads
      expect(degraded.body.checks.replica.message).toMatch(/落后超过/);
      expect(await contactIn(department.gql, key)).toBe('滞后测');
    } finally {
      config.maxLagSeconds = 120;
      await replicaOwner.query('SELECT pg_wal_replay_resume()');
    }
  });
});

/** Any PostgreSQL: a replica that cannot be reached leaves the server ready, reading from the primary. */
(isPostgres() ? describe : describe.skip)('unreachable read replica (PostgreSQL only)', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('starts, stays ready (replica degraded) and serves department pulls from the primary', async () => {
    const port = await freePort();
    t = await createTestApp({ seedDemo: true, env: { DATABASE_REPLICA_URL: `postgres://app@127.0.0.1:${port}/yibiaotong` } });
    const res = await request(t.app.getHttpServer()).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks.replica).toMatchObject({ status: 'degraded', servingReads: false, message: '只读副本无法连接，部门查询改读主库' });
    const { token } = await t.login('minzheng', PASSWORD);
    const view = await request(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${token}` }).send({ query: FORM_VIEW, variables: { first: 5 } });
    expect(view.body.errors).toBeUndefined();
    expect(view.body.data.formView.rows.length).toBeGreaterThan(0);
  });
});
