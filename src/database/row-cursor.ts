import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/**
 * Reads a query's rows in batches without holding them all: a server-side cursor on PostgreSQL; on SQLite a
 * second, read-only connection iterating the statement (WAL lets it read beside the app's own connection, which
 * stays free for other queries meanwhile).
 */
export async function* rowCursor(ds: DataSource, sql: string, params: unknown[], batch = 1000): AsyncGenerator<Record<string, unknown>[]> {
  if (ds.options.type === 'postgres') {
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction('REPEATABLE READ');
    try {
      await runner.query(`DECLARE ybt_rows NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const rows: Record<string, unknown>[] = await runner.query(`FETCH ${batch} FROM ybt_rows`);
        if (rows.length === 0) break;
        yield rows;
      }
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    return;
  }
  const reader = new Database(String(ds.options.database), { readonly: true, fileMustExist: true });
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
