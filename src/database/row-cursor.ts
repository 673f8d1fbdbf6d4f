import Database from 'better-sqlite3';
import type { AppConfig } from '../config/app-config.js';
import { pg } from './pg-types.js';

export type DatabaseTarget = AppConfig['database'];

/**
 * Reads a query's rows in batches without holding them all, on a connection of its own: a server-side cursor in a
 * read-only REPEATABLE READ transaction on PostgreSQL (one consistent snapshot however long the read); on SQLite a
 * read-only connection iterating the statement (WAL lets it read beside the app's own connection). Needs nothing
 * from the app, so an export can run it in a worker thread.
 */
export async function* rowCursor(db: DatabaseTarget, sql: string, params: unknown[], batch = 1000): AsyncGenerator<Record<string, unknown>[]> {
  if (db.kind === 'postgres') {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE ybt_rows NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const { rows } = await client.query(`FETCH ${Number(batch)} FROM ybt_rows`);
        if (rows.length === 0) break;
        yield rows;
      }
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    return;
  }
  const reader = new Database(db.sqlitePath, { readonly: true, fileMustExist: true });
  try {
    let rows: Record<string, unknown>[] = [];
    for (const row of reader.prepare(sql).iterate(...params) as Iterable<Record<string, unknown>>) {
      rows.push(row);
      if (rows.length === batch) {
        yield rows;
        rows = [];
      }
    }
    if (rows.length) yield rows;
  } finally {
    reader.close();
  }
}
