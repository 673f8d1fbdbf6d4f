import fs from 'node:fs';
import path from 'node:path';
import './pg-types.js';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { loadDictionary } from '../dictionary/dictionary.loader.js';
import { type Dictionary } from '../dictionary/dictionary.types.js';
import { buildLedgerEntities } from '../ledger/entities/ledger.entities.js';
import type { TemplateDef } from '../templates/template.types.js';
import { filteredFields } from './dictionary-schema.js';
import { MIGRATIONS } from '../../migrations/index.js';

/**
 * The one definition of the database connection: the app, the tests and the TypeORM CLI (ormconfig.ts) use it.
 * `templates`: the department templates, whose filters have indexes (without them, the entities omit those indexes).
 */
/**
 * The app's PostgreSQL pools (the primary's and a read replica's):
 * - a connection that cannot be made in 5 s fails (DATABASE_UNAVAILABLE) instead of hanging the request;
 * - parallel workers only for queries worth their start: starting them costs about 8 ms, which the default
 *   parallel_setup_cost (1000) prices far too low, so a page of 500 rows of a district's F07 was planned in
 *   parallel and took twice as long (a large count still goes parallel where that pays).
 */
export const POSTGRES_POOL = { max: 20, connectionTimeoutMillis: 5000, options: '-c parallel_setup_cost=10000' };

export function dataSourceOptions(config: AppConfig, dictionary: Dictionary = loadDictionary(config.templatesDir), templates: TemplateDef[] = []): DataSourceOptions {
  const common = {
    entities: buildLedgerEntities(dictionary, config.database.kind, filteredFields(dictionary, templates)),
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // Off: a failed query's parameters hold personal data; errors are logged once, masked, where they are handled.
    logging: false,
  };
  if (config.database.kind === 'postgres') {
    return { ...common, type: 'postgres', url: config.database.url, extra: POSTGRES_POOL };
  }
  fs.mkdirSync(path.dirname(config.database.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.database.sqlitePath,
    enableWAL: true,
    timeout: 5000,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
      // FULL: a commit is on disk before the client hears "saved" (NORMAL may lose the last commits on power loss).
      db.pragma('synchronous = FULL');
      // Statement journals in memory on the writer: a write that fires a trigger (grid_versions) keeps one per
      // statement, and past 64 KiB (a row and its dozen index pages) that is a temporary file per inserted row —
      // seeding took twice as long. The reader, which does the large sorts, keeps temporary files on disk.
      db.pragma('temp_store = MEMORY');
    },
  };
}

