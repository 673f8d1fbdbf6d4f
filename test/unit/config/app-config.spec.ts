import path from 'node:path';
import { ConfigError } from '../../../src/common/errors/definition-error.js';
import { loadConfig } from '../../../src/config/app-config.js';

describe('loadConfig', () => {
  it('defaults to SQLite under data/ on port 3000 with demo data', () => {
    expect(loadConfig({}, '/srv/ybt')).toEqual({
      port: 3000,
      database: { kind: 'sqlite', sqlitePath: path.resolve('/srv/ybt/data/yibiaotong.sqlite') },
      templatesDir: path.resolve('/srv/ybt/templates'),
      seedDemo: true,
      production: false,
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set, and honours PORT, SQLITE_PATH and SEED_DEMO', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@127.0.0.1:5432/ybt', PORT: '8080', SEED_DEMO: 'false' }, '/srv')).toMatchObject({
      port: 8080,
      database: { kind: 'postgres', url: 'postgres://app@127.0.0.1:5432/ybt' },
      seedDemo: false,
    });
    expect(loadConfig({ SQLITE_PATH: '/var/lib/ybt.sqlite' }, '/srv').database).toEqual({ kind: 'sqlite', sqlitePath: '/var/lib/ybt.sqlite' });
  });

  it('names every bad variable at once, in Chinese', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', SEED_DEMO: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toMatch(/PORT="70000".*\n.*DATABASE_URL.*\n.*SEED_DEMO/);
  });
});
