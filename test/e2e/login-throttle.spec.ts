import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { LoginThrottle } from '../../src/auth/login-throttle.js';
import { COMMUNITY, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, TEST_PASSWORD, type TestApp } from '../support/test-app.js';

const LOGIN = 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';

/**
 * Issue 13, point 3 and the tokens of point 4: only failures count, a (user name, address) pair waits longer
 * after each failure, a user name is locked only by failures from many addresses, an administrator lifts the
 * lock; tokens carry exp (within TOKEN_TTL_HOURS), iss and aud. The test client reaches the app over loopback,
 * which the default TRUST_PROXY believes, so X-Forwarded-For plays the client's address.
 */
describe(`login throttling and tokens (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let clock = Date.now();
  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(LoginThrottle).now = () => clock;
    await insertOrgFixture(t.app.get(DataSource));
    for (const username of ['office', 'victim', 'target']) await t.as({ username, role: 'community_staff', orgUnitCode: COMMUNITY });
  });
  afterAll(() => t.close());

  const login = async (username: string, password: string, address?: string) => {
    const req = request(t.app.getHttpServer()).post('/graphql');
    if (address) req.set('X-Forwarded-For', address);
    const res = await req.send({ query: LOGIN, variables: { u: username, p: password } });
    return { token: res.body.data?.login?.token as string | undefined, error: res.body.errors?.[0] };
  };
  const auditLog = async (action: string) => (await t.gql(`{ auditLog(action: "${action}") { username action filter } }`)).data.auditLog;

  it('lets 30 correct logins from one address through (an office behind one NAT address)', async () => {
    for (let i = 0; i < 30; i++) expect((await login('office', TEST_PASSWORD, '203.0.113.7')).token).toBeDefined();
  });

  it('makes one (user name, address) wait longer after each failure, saying the same seconds in message and extensions', async () => {
    const from = '198.51.100.1';
    for (let i = 0; i < 2; i++) expect((await login('victim', 'wrong-password-1', from)).error).toMatchObject({ message: '用户名或密码错误', extensions: { code: 'LOGIN_FAILED' } });
    const third = (await login('victim', 'wrong-password-1', from)).error;
    expect(third.extensions).toMatchObject({ code: 'LOGIN_FAILED', retryAfterSeconds: 8 });
    expect(third.message).toBe('用户名或密码错误，请 8 秒后再试');

    // Even the right password waits now, and the answer names the seconds it sends.
    clock += 3000;
    const waiting = (await login('victim', TEST_PASSWORD, from)).error;
    expect(waiting.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 5 });
    expect(waiting.message).toContain(`请 ${waiting.extensions.retryAfterSeconds} 秒后再试`);

    // Another address is not held up by them.
    expect((await login('victim', TEST_PASSWORD, '198.51.100.2')).token).toBeDefined();

    clock += 6000;
    expect((await login('victim', 'wrong-password-1', from)).error.extensions).toMatchObject({ code: 'LOGIN_FAILED', retryAfterSeconds: 16 });
    clock += 10_000;
    expect((await login('victim', TEST_PASSWORD, from)).error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 6 });
    clock += 6000;
    // A correct login from there forgets that address's failures: the next mistake starts afresh.
    expect((await login('victim', TEST_PASSWORD, from)).token).toBeDefined();
    expect((await login('victim', 'wrong-password-1', from)).error).toMatchObject({ message: '用户名或密码错误' });
  });

  it('locks a user name after many failures from many addresses, until an administrator unlocks it (audited)', async () => {
    clock += 16 * 60_000;
    for (let i = 0; i < 19; i++) {
      expect((await login('target', 'guess-' + i, `192.0.2.${i % 10}`)).error.extensions.code).toBe('LOGIN_FAILED');
    }
    const twentieth = (await login('target', 'guess-19', '192.0.2.10')).error;
    expect(twentieth.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
    expect(twentieth.message).toBe('该账号因多处登录失败已被暂时锁定，请 3600 秒后再试，或联系管理员解锁');
    // Locked everywhere, right password or not; other user names are not.
    const locked = (await login('target', TEST_PASSWORD, '203.0.113.99')).error;
    expect(locked.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
    expect((await login('office', TEST_PASSWORD, '192.0.2.1')).token).toBeDefined();
    expect(await auditLog('login_locked')).toEqual([expect.objectContaining({ username: 'target', filter: expect.objectContaining({ failures: 20, addresses: 11 }) })]);

    // Only an administrator may lift it.
    const office = await t.as({ username: 'office' });
    expect((await office.gql('mutation { unlockAccount(username: "target") }')).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await t.gql('mutation { unlockAccount(username: "Target") }')).data.unlockAccount).toBe(true);
    expect((await login('target', TEST_PASSWORD, '203.0.113.99')).token).toBeDefined();
    expect(await auditLog('login_unlock')).toEqual([expect.objectContaining({ username: 'tester', filter: { username: 'target', wasLocked: true } })]);
    expect((await t.gql('mutation { unlockAccount(username: "target") }')).data.unlockAccount).toBe(false);
  });

  it('runs out by itself after LOGIN_LOCK_MINUTES', async () => {
    clock += 16 * 60_000;
    for (let i = 0; i < 20; i++) await login('target', 'guess-' + i, `192.0.2.${i % 10}`);
    expect((await login('target', TEST_PASSWORD)).error.extensions.code).toBe('RATE_LIMITED');
    clock += 61 * 60_000;
    expect((await login('target', TEST_PASSWORD)).token).toBeDefined();
  });

  describe('tokens', () => {
    const key = () => new TextEncoder().encode(t.config.auth.jwtSecret);
    let me: { id: number; version: number };
    beforeAll(async () => {
      me = (await t.gql('{ me { id version } }')).data.me;
    });
    const claims = () => new SignJWT({ ver: me.version }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(me.id)).setIssuedAt();
    const meWith = async (token: string) => {
      const res = await request(t.app.getHttpServer()).post('/graphql').set({ Authorization: `Bearer ${token}` }).send({ query: '{ me { username } }' });
      return res.body.data?.me?.username ?? res.body.errors?.[0]?.extensions?.code;
    };
    const inHours = (h: number) => Math.floor(Date.now() / 1000) + h * 3600;

    it('accepts a well-formed token, signed with the real key (the control)', async () => {
      expect(await meWith(await claims().setIssuer('yibiaotong').setAudience('yibiaotong-api').setExpirationTime(inHours(1)).sign(key()))).toBe('tester');
    });

    it('refuses tokens signed with the real key but without exp, with an exp beyond TOKEN_TTL_HOURS, or with another issuer or audience', async () => {
      const ttl = t.config.auth.tokenTtlSeconds / 3600;
      const tokens = [
        await claims().setIssuer('yibiaotong').setAudience('yibiaotong-api').sign(key()), // no exp
        await claims().setIssuer('yibiaotong').setAudience('yibiaotong-api').setExpirationTime(inHours(ttl + 1)).sign(key()),
        await claims().setIssuer('yibiaotong').setAudience('yibiaotong-api').setIssuedAt(inHours(-ttl)).setExpirationTime(inHours(1)).sign(key()).catch(() => ''),
        await claims().setIssuer('yibiaotong').setAudience('yibiaotong-download').setExpirationTime(inHours(1)).sign(key()),
        await claims().setIssuer('yibiaotong').setAudience('api').setExpirationTime(inHours(1)).sign(key()),
        await claims().setIssuer('someone-else').setAudience('yibiaotong-api').setExpirationTime(inHours(1)).sign(key()),
        await new SignJWT({ ver: me.version }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(me.id)).setIssuer('yibiaotong').setAudience('yibiaotong-api').setExpirationTime(inHours(1)).sign(key()), // no iat
      ];
      for (const token of tokens) expect(await meWith(token)).toBe('UNAUTHENTICATED');
    });

    it('issues login tokens that carry iss, aud and an exp within TOKEN_TTL_HOURS', async () => {
      const { token } = await login('office', TEST_PASSWORD, '203.0.113.7');
      const payload = JSON.parse(Buffer.from(token!.split('.')[1], 'base64url').toString());
      expect(payload).toMatchObject({ iss: 'yibiaotong', aud: 'yibiaotong-api' });
      expect(payload.exp - payload.iat).toBeLessThanOrEqual(t.config.auth.tokenTtlSeconds);
    });
  });
});
