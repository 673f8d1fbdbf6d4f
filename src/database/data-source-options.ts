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
    // A connection that cannot be made in 5 s fails (DATABASE_UNAVAILABLE) instead of hanging the request.
    return { ...common, type: 'postgres', url: config.database.url, extra: { max: 20, connectionTimeoutMillis: 5000 } };
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

