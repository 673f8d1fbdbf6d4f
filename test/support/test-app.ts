import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { loadDefinitions } from '../../src/common/definition/definitions.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataSource: DataSource;
  /** POSTs a GraphQL operation and returns the parsed body ({ data, errors }). */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any }>;
  close(): Promise<void>;
}

export const isPostgres = () => Boolean(process.env.DATABASE_URL);

/** A fresh, empty database: a new SQLite file, or the PostgreSQL database of DATABASE_URL with its schema dropped. */
export async function freshDatabaseEnv(): Promise<NodeJS.ProcessEnv> {
  if (isPostgres()) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await client.end();
    return { ...process.env };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-test-'));
  return { ...process.env, SQLITE_PATH: path.join(dir, 'test.sqlite') };
}

/** The real app (real database, migrations, HTTP) on a fresh database; demo data only when asked for. */
export async function createTestApp(opts: { seedDemo?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<TestApp> {
  const env = { ...(await freshDatabaseEnv()), SEED_DEMO: String(opts.seedDemo ?? false), ...opts.env };
  const config = loadConfig(env, path.resolve(import.meta.dirname, '../..'));
  const app = await NestFactory.create(AppModule.forRoot(config, await loadDefinitions(config.templatesDir)), { logger: ['error', 'warn'] });
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    config,
    dataSource: app.get(DataSource),
    async gql(query, variables) {
      const res = await request(server).post('/graphql').send({ query, variables });
      if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${res.text}`);
      return res.body;
    },
    close: () => app.close(),
  };
}
