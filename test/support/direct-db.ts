import fs from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';

export type Rows = Record<string, unknown>[];

/**
 * Runs one statement on a database directly — the owner's connection on PostgreSQL, the file on SQLite — not through
 * the app or the commands under test, as a restarted server or an operator would see it. Null when the SQLite file
 * does not exist.
 */
export async function queryDirect(env: NodeJS.ProcessEnv, sql: string): Promise<Rows | null> {
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_OWNER_URL || env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }
  if (!fs.existsSync(env.SQLITE_PATH!)) return null;
  const db = new Database(env.SQLITE_PATH!);
  try {
    const statement = db.prepare(sql);
    if (statement.reader) return statement.all() as Rows;
    statement.run();
    return [];
  } finally {
    db.close();
  }
}
