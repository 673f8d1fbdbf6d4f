import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DictionaryChangeRefusedError } from '../common/errors/definition-error.js';
import type { DatabaseKind } from '../config/app-config.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { TemplateDef } from '../templates/template.types.js';
import { describeChange, planSchemaChanges, type SchemaChange } from './dictionary-schema.js';
import { type SqlQuery, sqlType, sqliteIndexesOn } from './schema-catalog.js';

/** This process's start, as `dictionary_changes.start_id` records it. */
export const START_ID = randomUUID();
const STARTED_BY = `${os.hostname()} 进程 ${process.pid}`.slice(0, 200);

/**
 * Makes the ledger's tables follow templates/ (src/database/dictionary-schema.ts), after the migrations, on the
 * connection that ran them (PostgreSQL: the owner's). One transaction holds the plan's reading, the DDL and the
 * record rows: they commit together or not at all, and a process starting beside this one (SQLite's write lock;
 * PostgreSQL: the caller's advisory lock) plans after it and finds nothing left to do.
 */
export async function reconcileDictionarySchema(
  dataSource: DataSource,
  dictionary: Dictionary,
  templates: TemplateDef[],
  templatesDir: string,
  logger = new Logger('Database'),
): Promise<SchemaChange[]> {
  const kind: DatabaseKind = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const query: SqlQuery = (sql, params) => runner.query(sql, params);
  try {
    await query(kind === 'postgres' ? 'BEGIN' : 'BEGIN IMMEDIATE');
    try {
      const plan = await planSchemaChanges(kind, query, dictionary, templates);
      if (plan.refusals.length) throw new DictionaryChangeRefusedError(path.join(templatesDir, 'dictionary.yaml'), plan.refusals);
      for (const change of plan.changes) {
        await apply(kind, query, change);
        await record(kind, query, change);
      }
      await query('COMMIT');
      for (const note of plan.notes) logger.warn(`字段字典：${note}`);
      for (const change of plan.changes) logger.log(`按字段字典变更数据库结构：${describeChange(change)}`);
      return plan.changes;
    } catch (e) {
      await query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    await runner.release();
  }
}

async function apply(kind: DatabaseKind, query: SqlQuery, c: SchemaChange): Promise<void> {
  const table = `"${c.table}"`;
  const column = `"${c.column}"`;
  const type = c.type ? sqlType(kind, c.type) : '';
  switch (c.change) {
    case 'add_column':
      await query(`ALTER TABLE ${table} ADD ${kind === 'sqlite' ? 'COLUMN ' : ''}${column} ${type}`);
      return;
    case 'add_index':
      await query(`CREATE INDEX "${c.index}" ON ${table} (${c.indexColumns!.map((x) => `"${x}"`).join(', ')})`);
      return;
    case 'drop_index':
      await query(`DROP INDEX "${c.index}"`);
      return;
    case 'drop_column':
      if (kind === 'sqlite') for (const index of await sqliteIndexesOn(query, c.table, c.column)) await query(`DROP INDEX "${index.name}"`);
      await query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
      return;
  }
  if (kind === 'postgres') {
    if (c.change === 'allow_null') await query(`ALTER TABLE ${table} ALTER COLUMN ${column} DROP NOT NULL`);
    // Retyped only when the column holds no value (the plan checked): nothing to convert.
    else await query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type}${c.change === 'retype_column' ? ` USING NULL::${type}` : ''}`);
    return;
  }
  // SQLite cannot alter a column: a new one takes its place (values copied), the indexes on it are made again.
  const indexes = await sqliteIndexesOn(query, c.table, c.column);
  const temporary = `"${c.column}__new"`;
  for (const index of indexes) await query(`DROP INDEX "${index.name}"`);
  await query(`ALTER TABLE ${table} ADD COLUMN ${temporary} ${type}`);
  if (c.change !== 'retype_column') await query(`UPDATE ${table} SET ${temporary} = ${column}`);
  await query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  await query(`ALTER TABLE ${table} RENAME COLUMN ${temporary} TO ${column}`);
  for (const index of indexes) await query(index.sql);
}

async function record(kind: DatabaseKind, query: SqlQuery, c: SchemaChange): Promise<void> {
  const values = [c.change, c.field, c.label, c.table, c.column, c.type, c.index ?? null, c.detail, kind === 'postgres' ? new Date() : sqliteInstant(new Date()), START_ID, STARTED_BY];
  const marks = values.map((_, i) => (kind === 'postgres' ? `$${i + 1}` : '?')).join(', ');
  await query(
    `INSERT INTO dictionary_changes (change, field, label, table_name, column_name, column_type, index_name, detail, applied_at, start_id, started_by) VALUES (${marks})`,
    values,
  );
}

/** TypeORM's datetime text on SQLite (UTC). */
function sqliteInstant(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
