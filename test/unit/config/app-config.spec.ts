import path from 'node:path';
import { ConfigError } from '../../../src/common/errors/definition-error.js';
import { loadConfig } from '../../../src/config/app-config.js';

const SECRET = 'x'.repeat(40);

describe('loadConfig', () => {
  it('defaults to SQLite under data/ on port 3000 with demo data, a random token key and the demo introspection', () => {
    const config = loadConfig({}, '/srv/ybt');
    expect(config).toMatchObject({
      port: 3000,
      database: { kind: 'sqlite', sqlitePath: path.resolve('/srv/ybt/data/yibiaotong.sqlite') },
      templatesDir: path.resolve('/srv/ybt/templates'),
      seedDemo: true,
      auth: { jwtSecretGenerated: true, tokenTtlSeconds: 8 * 3600, adminPassword: null },
      limits: { requestsPerMinute: 600, loginFailures: 3, loginLockFailures: 20, loginLockAddresses: 3, loginLockMinutes: 60, bodyBytes: 1024 * 1024, uploadBytes: 20 * 1024 * 1024 },
      introspection: true,
    });
    expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}, '/srv/ybt').auth.jwtSecret).not.toBe(config.auth.jwtSecret);
  });

  it('uses PostgreSQL when DATABASE_URL is set, and honours PORT, SQLITE_PATH and SEED_DEMO', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@127.0.0.1:5432/ybt', JWT_SECRET: SECRET, PORT: '8080', SEED_DEMO: 'false' }, '/srv')).toMatchObject({
      port: 8080,
      database: { kind: 'postgres', url: 'postgres://app@127.0.0.1:5432/ybt' },
      seedDemo: false,
      auth: { jwtSecret: SECRET, jwtSecretGenerated: false },
    });
    expect(loadConfig({ SQLITE_PATH: '/var/lib/ybt.sqlite' }, '/srv').database).toEqual({ kind: 'sqlite', sqlitePath: '/var/lib/ybt.sqlite' });
  });

  it('takes the migrations\' owner role from DATABASE_OWNER_URL (the app\'s own URL when unset), on the same database only', () => {
    const app = 'postgres://app:secret@db:5432/ybt';
    expect(loadConfig({ DATABASE_URL: app, JWT_SECRET: SECRET }).database).toEqual({ kind: 'postgres', url: app, ownerUrl: app });
    expect(loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: 'postgres://ybt_owner:other@db:5432/ybt', JWT_SECRET: SECRET }).database)
      .toEqual({ kind: 'postgres', url: app, ownerUrl: 'postgres://ybt_owner:other@db:5432/ybt' });
    expect(() => loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: 'postgres://ybt_owner@db:5432/elsewhere', JWT_SECRET: SECRET })).toThrow(/DATABASE_OWNER_URL 须与 DATABASE_URL 指向同一/);
    expect(() => loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: 'postgres://ybt_owner@other-host:5432/ybt', JWT_SECRET: SECRET })).toThrow(/DATABASE_OWNER_URL/);
  });

  it('reads department pulls from DATABASE_REPLICA_URL on PostgreSQL only, with REPLICA_MAX_LAG_SECONDS (30 by default)', () => {
    const app = 'postgres://app@db:5432/ybt';
    const replica = 'postgres://app@replica:5432/ybt';
    expect(loadConfig({ DATABASE_URL: app, JWT_SECRET: SECRET }).database).not.toHaveProperty('replica');
    expect(loadConfig({ DATABASE_URL: app, JWT_SECRET: SECRET, DATABASE_REPLICA_URL: replica }).database).toMatchObject({ replica: { url: replica, maxLagSeconds: 30 } });
    expect(loadConfig({ DATABASE_URL: app, JWT_SECRET: SECRET, DATABASE_REPLICA_URL: replica, REPLICA_MAX_LAG_SECONDS: '5' }).database).toMatchObject({ replica: { maxLagSeconds: 5 } });
    expect(() => loadConfig({ DATABASE_REPLICA_URL: replica })).toThrow(/DATABASE_REPLICA_URL 只能与 DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: app, JWT_SECRET: SECRET, DATABASE_REPLICA_URL: 'mysql://replica/ybt' })).toThrow(/DATABASE_REPLICA_URL 须为 postgres:/);
    expect(() => loadConfig({ DATABASE_URL: app, JWT_SECRET: SECRET, DATABASE_REPLICA_URL: replica, REPLICA_MAX_LAG_SECONDS: '0' })).toThrow(/REPLICA_MAX_LAG_SECONDS/);
  });

  it('keeps introspection off in a PostgreSQL deployment whatever NODE_ENV says, unless GRAPHQL_INTROSPECTION asks', () => {
    const pg = { DATABASE_URL: 'postgres://app@db/ybt', JWT_SECRET: SECRET };
    expect(loadConfig({ ...pg, NODE_ENV: 'development' }).introspection).toBe(false);
    expect(loadConfig({ ...pg, NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false', NODE_ENV: 'development' }).introspection).toBe(false);
  });

  it('names every bad variable at once, in Chinese', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', SEED_DEMO: 'maybe', JWT_SECRET: 'short', RATE_LIMIT_PER_MINUTE: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(5);
    expect((error as ConfigError).message).toMatch(/PORT="70000".*\n.*DATABASE_URL.*\n.*SEED_DEMO.*\n.*JWT_SECRET.*\n.*RATE_LIMIT_PER_MINUTE/);
  });

  it('requires a shared token key when deployed on PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app@db/ybt' })).toThrow(/JWT_SECRET/);
  });
});
