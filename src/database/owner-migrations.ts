import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { TemplateDef } from '../templates/template.types.js';
import { dataSourceOptions } from './data-source-options.js';
import { reconcileDictionarySchema } from './dictionary-reconciler.js';
import { pg } from './pg-types.js';

/** Session lock key: processes starting together run migrations and grants one after the other. */
const ROLES_LOCK = 7263110502;

/**
 * Brings the database up to date before the app's own DataSource starts: the migrations, then the changes the
 * dictionary and the templates call for (reconcileDictionarySchema), on a connection of its own that is closed after.
 *
 * PostgreSQL with two roles: the schema's owner runs both (DATABASE_OWNER_URL) and the app's role (DATABASE_URL) gets
 * ordinary DML on the tables, and only SELECT and INSERT on the audit log, so the app cannot rewrite, truncate or
 * un-trigger it. Without an owner URL the app's role does it all, owns every table and is warned about.
 */
export async function prepareDatabase(config: AppConfig, dictionary: Dictionary, templates: TemplateDef[], logger = new Logger('Database')): Promise<void> {
  const db = config.database;
  if (db.kind !== 'postgres') {
    await migrateAndReconcile(config, dictionary, templates, {});
    return;
  }
  const lock = new pg.Client({ connectionString: db.ownerUrl });
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(${ROLES_LOCK})`);
    await migrateAndReconcile(config, dictionary, templates, { url: db.ownerUrl, extra: { max: 1 } });
    if (db.ownerUrl !== db.url) {
      const [{ role }] = (await queryAs(db.url, 'SELECT current_user AS role')) as { role: string }[];
      await lock.query('BEGIN');
      for (const sql of grantsFor(role)) await lock.query(sql);
      await lock.query('COMMIT');
    }
  } finally {
    await lock.end(); // ends the session: the lock goes with it
  }
  const [app] = (await queryAs(db.url, APP_ROLE_CHECK)) as { role: string; superuser: boolean; owns: boolean | null; rewrites: boolean | null }[];
  const owns = app.owns ?? db.ownerUrl === db.url; // no table yet: this role's migrations will create it
  if (app.superuser || owns || app.rewrites) {
    logger.warn(
      `应用的数据库角色 ${app.role} ${app.superuser ? '是超级用户' : owns ? '拥有审计日志表' : '可以修改或清空审计日志'}，审计日志可被改写：` +
        '请设置 DATABASE_OWNER_URL（迁移用的所有者角色），DATABASE_URL 用只可追加审计日志的普通角色（见 README「PostgreSQL 的两个角色」）',
    );
  }
}

async function migrateAndReconcile(config: AppConfig, dictionary: Dictionary, templates: TemplateDef[], connection: Partial<DataSourceOptions>): Promise<void> {
  const owner = new DataSource({ ...dataSourceOptions(config, dictionary, templates), ...connection } as DataSourceOptions);
  await owner.initialize();
  try {
    await owner.runMigrations({ transaction: 'all' });
    await reconcileDictionarySchema(owner, dictionary, templates, config.templatesDir);
  } finally {
    await owner.destroy();
  }
}

async function queryAs(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const APP_ROLE_CHECK = `
  SELECT current_user AS role, r.rolsuper AS superuser,
         pg_has_role(current_user, c.relowner, 'USAGE') AS owns,
         has_table_privilege(c.oid, 'UPDATE, DELETE, TRUNCATE') AS rewrites
  FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('audit_log')
  WHERE r.rolname = current_user`;

/**
 * Idempotent, and over every table there is now, so tables that later migrations add are covered at the next
 * start. Whatever was granted before is narrowed again on the audit log and the migrations table.
 */
function grantsFor(role: string): string[] {
  const r = `"${role.replace(/"/g, '""')}"`;
  return [
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM ${r}`,
    // UPDATE: bulk writes give explicit ids and move the sequence past them (setval).
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    `REVOKE UPDATE, DELETE ON "audit_log" FROM ${r}`,
    `REVOKE UPDATE ON SEQUENCE audit_log_id_seq FROM ${r}`,
    `REVOKE INSERT, UPDATE, DELETE ON "migrations" FROM ${r}`,
    // Written by the start-up as the owner, with the DDL it records (src/database/dictionary-reconciler.ts).
    `REVOKE INSERT, UPDATE, DELETE ON "dictionary_changes" FROM ${r}`,
  ];
}
