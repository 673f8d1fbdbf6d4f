import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { AppConfig } from '../config/app-config.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { TemplateDef } from '../templates/template.types.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { planSchemaChanges, type SchemaPlan } from './dictionary-schema.js';
import { pg } from './pg-types.js';
import type { SqlQuery } from './schema-catalog.js';

export type SchemaInspection =
  | { reachable: false; where: string; reason: string }
  | { reachable: true; where: string; pendingMigrations: number; plan: SchemaPlan };

/**
 * What the next start would change in the database to follow templates/ (npm run templates:check), read without
 * changing anything: a read-only SQLite connection, or a plain PostgreSQL session as the owner.
 */
export async function inspectSchema(config: AppConfig, dictionary: Dictionary, templates: TemplateDef[]): Promise<SchemaInspection> {
  const db = config.database;
  const where = db.kind === 'postgres' ? `PostgreSQL ${redacted(db.ownerUrl)}` : `SQLite ${db.sqlitePath}`;
  let query: SqlQuery;
  let close: () => Promise<void>;
  if (db.kind === 'postgres') {
    const client = new pg.Client({ connectionString: db.ownerUrl, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
    } catch (e) {
      return { reachable: false, where, reason: (e as Error).message || String(e) };
    }
    query = async (sql, params) => (await client.query(sql, params as unknown[])).rows;
    close = () => client.end();
  } else {
    if (!fs.existsSync(db.sqlitePath)) return { reachable: false, where, reason: '数据库文件不存在（首次启动时新建）' };
    const file = new Database(db.sqlitePath, { readonly: true, fileMustExist: true });
    query = async (sql, params) => file.prepare(sql).all(...((params ?? []) as unknown[])) as Record<string, unknown>[];
    close = async () => void file.close();
  }
  try {
    const names = MIGRATIONS.map((m) => (new (m as new () => { name: string })()).name);
    const ran = new Set(await query('SELECT name FROM migrations').then((rows) => rows.map((r) => String(r.name)), () => [] as string[]));
    const plan = await planSchemaChanges(db.kind, query, dictionary, templates);
    return { reachable: true, where, pendingMigrations: names.filter((n) => !ran.has(n)).length, plan };
  } catch (e) {
    return { reachable: false, where, reason: (e as Error).message };
  } finally {
    await close();
  }
}

/** A connection string without its password, for messages. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '（连接串）';
  }
}
