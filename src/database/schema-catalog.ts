import type { DatabaseKind } from '../config/app-config.js';

/** Runs one statement on the connection at hand (a TypeORM query runner, a pg client, a better-sqlite3 handle). */
export type SqlQuery = (sql: string, params?: unknown[]) => Promise<Record<string, any>[]>;

export interface CatalogColumn {
  /** Normalised declared type: varchar(8), decimal(12,2), integer, boolean, date, timestamptz, datetime… */
  type: string;
  nullable: boolean;
}

/** The columns and indexes the database has now, for the tables asked about. */
export interface Catalog {
  columns: Map<string, Map<string, CatalogColumn>>;
  indexes: Map<string, { table: string }>;
}

/** The one place that knows how each database describes its own tables. */
export async function readCatalog(kind: DatabaseKind, query: SqlQuery, tables: string[]): Promise<Catalog> {
  const columns = new Map<string, Map<string, CatalogColumn>>(tables.map((t) => [t, new Map()]));
  const indexes = new Map<string, { table: string }>();
  if (kind === 'postgres') {
    const rows = await query(
      `SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1)`, [tables]);
    for (const r of rows) columns.get(r.table_name)!.set(r.column_name, { type: postgresType(r), nullable: r.is_nullable === 'YES' });
    for (const r of await query(`SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1)`, [tables])) {
      indexes.set(r.indexname, { table: r.tablename });
    }
  } else {
    for (const table of tables) {
      for (const r of await query(`SELECT name, type, "notnull" AS not_null FROM pragma_table_info('${table}')`)) {
        columns.get(table)!.set(r.name, { type: String(r.type).toLowerCase().replace(/\s+/g, ''), nullable: !Number(r.not_null) });
      }
    }
    const list = tables.map((t) => `'${t}'`).join(', ');
    for (const r of await query(`SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name IN (${list})`)) indexes.set(r.name, { table: r.tbl_name });
  }
  // A table that does not exist yet has no columns: its migrations have not run (templates:check on a new database).
  for (const t of tables) if (columns.get(t)!.size === 0) columns.delete(t);
  return { columns, indexes };
}

function postgresType(r: Record<string, any>): string {
  switch (r.data_type) {
    case 'character varying':
      return r.character_maximum_length ? `varchar(${r.character_maximum_length})` : 'varchar';
    case 'numeric':
      return `decimal(${r.numeric_precision},${r.numeric_scale})`;
    case 'timestamp with time zone':
      return 'timestamptz';
    default:
      return String(r.data_type);
  }
}

/** A normalised type as the database's DDL spells it. */
export function sqlType(kind: DatabaseKind, type: string): string {
  if (kind === 'sqlite') return type;
  return type.replace(/^varchar\(/, 'character varying(').replace(/^decimal\(/, 'numeric(');
}

/** Rows of a table holding a value in a column. */
export async function valueCount(query: SqlQuery, table: string, column: string): Promise<number> {
  const [{ n }] = await query(`SELECT COUNT("${column}") AS n FROM "${table}"`);
  return Number(n);
}

/** SQLite: the column is a foreign key (ALTER TABLE … DROP COLUMN refuses it). */
export async function sqliteForeignKey(query: SqlQuery, table: string, column: string): Promise<boolean> {
  return (await query(`SELECT "from" AS col FROM pragma_foreign_key_list('${table}')`)).some((r) => r.col === column);
}

/** SQLite: the indexes covering a column, with the statements that recreate them. */
export async function sqliteIndexesOn(query: SqlQuery, table: string, column: string): Promise<{ name: string; sql: string }[]> {
  const found: { name: string; sql: string }[] = [];
  for (const r of await query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}' AND sql IS NOT NULL`)) {
    const cols = await query(`SELECT name FROM pragma_index_info('${r.name}')`);
    if (cols.some((c) => c.name === column)) found.push({ name: r.name, sql: r.sql });
  }
  return found;
}
