import { queryDirect } from '../support/direct-db.js';
import { COMMUNITY, DISTRICT, GRID, idNumber, STREET } from '../support/fixtures.js';
import { loginAs, postGraphql, startServer } from '../support/server-process.js';
import { freshDatabaseEnv, isPostgres } from '../support/test-app.js';

const UPSERT = `mutation Upsert($input: UpsertResidentInput!) { upsertResident(input: $input) { id } }`;
const ADMIN_PASSWORD = 'crash-test-admin-2026';

const query = async (env: NodeJS.ProcessEnv, sql: string) => (await queryDirect(env, sql)) ?? [];

/**
 * kill -9 in the middle of a stream of saves: after a restart every save that was answered "saved" is there, with
 * its audit line. Runs the compiled server as its own process, on either database.
 */
describe(`a crash loses no acknowledged save (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('every upsertResident answered OK survives kill -9 and a restart', async () => {
    const env: NodeJS.ProcessEnv = { ...(await freshDatabaseEnv()), SEED_DEMO: 'false', ADMIN_PASSWORD, RATE_LIMIT_PER_MINUTE: '100000', TZ: 'Asia/Shanghai' };
    let server = await startServer(env);
    try {
      await query(env, `INSERT INTO org_units (code, name, level, parent_code, sort_order) VALUES
        ('${DISTRICT}', '沙坪坝区', 'district', NULL, 1), ('${STREET}', '陈家桥街道', 'street', '${DISTRICT}', 1),
        ('${COMMUNITY}', '桥北社区', 'community', '${STREET}', 1), ('${GRID}', '第一网格', 'grid', '${COMMUNITY}', 1)`);
      const token = await loginAs(server.url, 'admin', ADMIN_PASSWORD);

      const acknowledged: string[] = [];
      let next = 0;
      let crashed = false;
      const worker = async () => {
        while (!crashed) {
          const id = idNumber('500106', '19600101', 100 + next++);
          try {
            const res = await postGraphql(server.url, UPSERT, { input: { idNumber: id, gridCode: GRID, name: '持久', currentAddress: `桥北路${next}号` } }, token);
            if (res.status === 200 && !res.body.errors && res.body.data?.upsertResident?.id) acknowledged.push(id);
          } catch {
            // the connection died with the server: not acknowledged
          }
        }
      };
      const workers = Array.from({ length: 8 }, worker);
      while (acknowledged.length < 150) await new Promise((resolve) => setTimeout(resolve, 20));
      await server.crash();
      crashed = true;
      await Promise.all(workers);

      server = await startServer(env);
      const stored = new Set((await query(env, 'SELECT id_number FROM residents')).map((r) => String(r.id_number)));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      const audited = await query(env, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'resident' AND action = 'create'");
      expect(Number(audited[0].n)).toBe(stored.size);
      // And the restarted server answers for them.
      const token2 = await loginAs(server.url, 'admin', ADMIN_PASSWORD);
      const res = await postGraphql(server.url, '{ resident(idNumber: "' + acknowledged[acknowledged.length - 1] + '") { name } }', {}, token2);
      expect(res.body.data?.resident?.name).toBe('持久');
    } finally {
      await server.stop();
    }
  });
});
