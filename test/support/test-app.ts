import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { systemViewer } from '../../src/access/viewer.js';
import { AppModule } from '../../src/app.module.js';
import { configureHttp } from '../../src/app.setup.js';
import { AccountsService, type AccountInput } from '../../src/auth/accounts.service.js';
import { loadDefinitions } from '../../src/common/definition/definitions.js';
import { ScrubbingLogger } from '../../src/common/scrubbing-logger.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';

export const TEST_PASSWORD = 'test-password-2026';
/** The same key in every test process, as a deployment would set it (required with PostgreSQL). */
const JWT_SECRET = 'test-only-jwt-secret-0123456789abcdef';

type Gql = <T = any>(query: string, variables?: Record<string, unknown>) => Promise<{ data?: T; errors?: any }>;

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  dataSource: DataSource;
  /** POSTs a GraphQL operation as the test administrator and returns the parsed body ({ data, errors }). */
  gql: Gql;
  /** The administrator's Authorization header, for plain HTTP requests (exports). */
  auth: { Authorization: string };
  /** Creates an account (if new) and returns its token, a gql bound to it and its Authorization header. */
  as(account: AccountInput & { username: string }): Promise<{ token: string; gql: Gql; auth: { Authorization: string } }>;
  /** Logs in through the API: the token, or the errors. */
  login(username: string, password: string): Promise<{ token?: string; errors?: any }>;
  close(): Promise<void>;
}

export const isPostgres = () => Boolean(process.env.DATABASE_URL);

/**
 * A fresh, empty database: a new SQLite file, or the PostgreSQL database of DATABASE_URL with its schema dropped
 * (by DATABASE_OWNER_URL's role when set: the app's role cannot).
 * `name` gives a second PostgreSQL database beside it (created if need be), for tests that need two ledgers at once.
 */
export async function freshDatabaseEnv(name?: string): Promise<NodeJS.ProcessEnv> {
  if (isPostgres()) {
    const url = new URL(process.env.DATABASE_URL!);
    // The schema belongs to the owner role (DATABASE_OWNER_URL) when there is one: the app's role may not drop it.
    const ownerUrl = new URL(process.env.DATABASE_OWNER_URL || url.toString());
    if (name) {
      const admin = new pg.Client({ connectionString: ownerUrl.toString() });
      await admin.connect();
      const database = `${url.pathname.slice(1)}_${name}`;
      if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount) await admin.query(`CREATE DATABASE "${database}"`);
      await admin.end();
      url.pathname = `/${database}`;
      ownerUrl.pathname = `/${database}`;
    }
    const client = new pg.Client({ connectionString: ownerUrl.toString() });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await client.end();
    const owner = process.env.DATABASE_OWNER_URL ? { DATABASE_OWNER_URL: ownerUrl.toString() } : {};
    return { ...process.env, DATABASE_URL: url.toString(), ...owner, JWT_SECRET };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-test-'));
  return { ...process.env, JWT_SECRET, SQLITE_PATH: path.join(dir, 'test.sqlite') };
}

/**
 * The real app (real database, migrations, HTTP, logins) on a fresh database; demo data only when asked for.
 * An administrator account "tester" exists either way, and `gql` speaks as it.
 */
export async function createTestApp(opts: { seedDemo?: boolean; env?: NodeJS.ProcessEnv; logger?: ScrubbingLogger; database?: string } = {}): Promise<TestApp> {
  const env = { ...(await freshDatabaseEnv(opts.database)), SEED_DEMO: String(opts.seedDemo ?? false), RATE_LIMIT_PER_MINUTE: '100000', ...opts.env };
  const config = loadConfig(env, path.resolve(import.meta.dirname, '../..'));
  const logger = opts.logger ?? new ScrubbingLogger({ logLevels: ['error', 'warn'] });
  // abortOnError off: a start that fails throws here (Nest would otherwise end the test process).
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, await loadDefinitions(config.templatesDir)), { logger, abortOnError: false });
  configureHttp(app, config);
  await app.init();
  const server = app.getHttpServer();
  const gqlWith = (auth: Record<string, string>): Gql => async (query, variables) => {
    const res = await request(server).post('/graphql').set(auth).send({ query, variables });
    if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${res.text}`);
    return res.body;
  };
  const login = async (username: string, password: string) => {
    const res = await gqlWith({})(`mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: password });
    return { token: res.data?.login.token as string | undefined, errors: res.errors };
  };
  const accounts = app.get(AccountsService);
  const as = async (account: AccountInput & { username: string }) => {
    if (!(await accounts.list()).some((a) => a.username === account.username)) {
      await accounts.create(systemViewer('test'), { displayName: account.username, password: TEST_PASSWORD, ...account });
    }
    const { token, errors } = await login(account.username, account.password ?? TEST_PASSWORD);
    if (!token) throw new Error(`登录失败：${JSON.stringify(errors)}`);
    const auth = { Authorization: `Bearer ${token}` };
    return { token, auth, gql: gqlWith(auth) };
  };
  const admin = await as({ username: 'tester', role: 'admin' });
  return {
    app,
    config,
    dataSource: app.get(DataSource),
    gql: admin.gql,
    auth: admin.auth,
    as,
    login,
    close: () => app.close(),
  };
}
