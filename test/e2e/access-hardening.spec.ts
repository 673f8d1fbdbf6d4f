import { Logger } from '@nestjs/common';
import request from 'supertest';
import { formatGraphqlError } from '../../src/common/errors/graphql-error.formatter.js';
import { ScrubbingLogger } from '../../src/common/scrubbing-logger.js';
import { DEMO_PASSWORD } from '../../src/seed/demo-accounts.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const COMMUNITY = '500106108001';

/** Everything the app logs during these tests, as it reaches stdout and stderr. */
class CapturingLogger extends ScrubbingLogger {
  readonly lines: string[] = [];
  protected override printMessages(...args: Parameters<ScrubbingLogger['printMessages']>): void {
    const write = process.stdout.write;
    const errWrite = process.stderr.write;
    const capture = (chunk: unknown) => (this.lines.push(String(chunk)), true);
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      super.printMessages(...args);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
  }
}

describe(`access: hardening of the API (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const logger = new CapturingLogger({ logLevels: ['log', 'error', 'warn', 'debug', 'verbose'] });
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true, logger, env: { LOGIN_MAX_FAILURES: '3', NODE_ENV: 'development' } });
  });
  afterAll(() => t.close());
  const post = (body: unknown, headers: Record<string, string> = t.auth) => request(t.app.getHttpServer()).post('/graphql').set(headers).send(body as object);

  it('refuses a query nested 7 levels deep, and answers one of 6', async () => {
    const id = (await t.dataSource.query(`SELECT id_number FROM residents WHERE grid_code LIKE '${COMMUNITY}%' LIMIT 1`))[0].id_number;
    const seven = `{ resident(idNumber: "${id}") { household { members { household { members { household { id } } } } } } }`;
    const six = `{ resident(idNumber: "${id}") { household { members { household { members { name } } } } } }`;
    const refused = (await post({ query: seven })).body;
    expect(refused.data).toBeUndefined();
    expect(refused.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
    expect(refused.errors[0].message).toMatch(/嵌套 7 层/);
    expect((await post({ query: six })).body.data.resident.household.members.length).toBeGreaterThan(0);
  });

  it('refuses a 10,000-alias query before running it', async () => {
    const query = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: orgUnits { code }`).join(' ')} }`;
    const res = await post({ query });
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
    // A large page of many columns is weighed by its page size.
    const costly = `{ ${Array.from({ length: 5 }, (_, i) => `p${i}: elderlyLivingAlone(orgUnit: "${COMMUNITY}", first: 500) { rows { name age idNumber phone currentAddress healthStatus gridName remarks } }`).join(' ')} }`;
    expect((await post({ query: costly })).body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
  });

  it('turns batched requests, mutations by GET and simple (CSRF-able) requests away', async () => {
    const batch = await post([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]);
    expect(batch.status).toBe(400);
    const viaGet = await request(t.app.getHttpServer()).get('/graphql').query({ query: 'mutation { changePassword(oldPassword: "a", newPassword: "b") { id } }' }).set(t.auth).set('Accept', 'application/json');
    expect(viaGet.status).toBe(400); // blocked as a possible cross-site request
    const preflighted = await request(t.app.getHttpServer()).get('/graphql').query({ query: 'mutation { changePassword(oldPassword: "a", newPassword: "b") { id } }' })
      .set(t.auth).set('Accept', 'application/json').set('apollo-require-preflight', '1');
    expect(preflighted.status).toBe(405);
    expect(preflighted.body.data).toBeUndefined();
    // A form post from another site: text/plain is a "simple" request a browser sends without asking.
    const simple = await request(t.app.getHttpServer()).post('/graphql').set(t.auth).set('Content-Type', 'text/plain').send(JSON.stringify({ query: '{ me { id } }' }));
    expect(simple.status).toBe(400);
    expect(JSON.stringify(simple.body ?? simple.text)).not.toMatch(/"me"/);
  });

  it('limits the request size', async () => {
    const res = await post({ query: '{ me { id } }', variables: { padding: 'x'.repeat(2 * 1024 * 1024) } });
    expect(res.status).toBe(413);
  });

  it('refuses logins after repeated failures, even with the right password', async () => {
    for (let i = 0; i < 3; i++) expect((await t.login('qiaobei', 'wrong-password-1')).errors[0].extensions.code).toBe('LOGIN_FAILED');
    const blocked = await t.login('qiaobei', DEMO_PASSWORD);
    expect(blocked.token).toBeUndefined();
    expect(blocked.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    // Another user is not locked out by it; an unknown user gets the same answer as a wrong password.
    expect((await t.login('chenjiaqiao', DEMO_PASSWORD)).token).toBeDefined();
    expect((await t.login('no-such-user', 'whatever-1')).errors[0]).toMatchObject({ message: '用户名或密码错误', extensions: { code: 'LOGIN_FAILED' } });
  });

  // Last: it scans everything the app logged while the attacks above ran.
  it('logs no full ID or phone number during the whole run', async () => {
    // Things that end up in logs: an unexpected error quoting input, and whatever the app logged so far.
    const [resident] = await t.dataSource.query(`SELECT id_number, phone FROM residents WHERE phone IS NOT NULL AND grid_code LIKE '${COMMUNITY}%' LIMIT 1`);
    formatGraphqlError({ message: 'x' }, new Error(`保存 ${resident.id_number}（电话 ${resident.phone}）时数据库出错`));
    new Logger('Test').error(`查询 ${resident.id_number} ${resident.phone} 023-68123456 失败`);
    await t.gql(`mutation { upsertResident(input: { idNumber: "${resident.id_number}", name: "重复" }) { id } }`); // DUPLICATE
    const text = logger.lines.join('');
    expect(text).toContain('请求'); // the lines are there, masked
    expect(text).toMatch(new RegExp(`${resident.id_number.slice(0, 6)}\\*{8}${resident.id_number.slice(-4)}`));
    const known: { id_number: string; phone: string | null }[] = await t.dataSource.query('SELECT id_number, phone FROM residents');
    const full = known.flatMap((r) => [r.id_number, r.phone].filter((v): v is string => !!v && v.length >= 8));
    for (const value of full) expect(text.includes(value) ? value : null).toBeNull();
    expect(text).not.toMatch(/(?<!\d)\d{17}[\dXx](?!\d)/);
    expect(text).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
    expect(text).not.toContain('023-68123456');
  });
});
