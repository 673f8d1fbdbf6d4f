import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type BulkInsert = (table: string, columns: string[], rows: unknown[][]) => Promise<void>;

interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  exec(sql: string): void;
}

/**
 * Bulk paths (seeding, later imports) go below the ORM: prepared statements on SQLite, unnest of column arrays on
 * PostgreSQL, all inside one transaction so a failure leaves nothing half-written.
 */
@Injectable()
export class BulkWriter {
  constructor(private readonly dataSource: DataSource) {}

  async transaction<T>(work: (insert: BulkInsert) => Promise<T>): Promise<T> {
    return this.dataSource.options.type === 'postgres' ? this.postgres(work) : this.sqlite(work);
  }

  private async sqlite<T>(work: (insert: BulkInsert) => Promise<T>): Promise<T> {
    const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    const statements = new Map<string, { run(...params: unknown[]): unknown }>();
    const insert: BulkInsert = async (table, columns, rows) => {
      const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare(sql)));
      // better-sqlite3 binds no booleans
      for (const row of rows) statement.run(...row.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
    };
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work(insert);
      db.exec('COMMIT');
      return result;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  }

  private async postgres<T>(work: (insert: BulkInsert) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const touched = new Set<string>();
    try {
      const types = new Map<string, Map<string, string>>();
      const insert: BulkInsert = async (table, columns, rows) => {
        if (columns.includes('id')) touched.add(table);
        if (!types.has(table)) {
          const found = await runner.query('SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table]);
          types.set(table, new Map(found.map((c: { column_name: string; udt_name: string }) => [c.column_name, c.udt_name])));
        }
        // One array parameter per column, unnested server-side: one short statement per 10,000 rows.
        const arrays = columns.map((c) => `$${columns.indexOf(c) + 1}::${types.get(table)!.get(c)}[]`);
        const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})`;
        for (let start = 0; start < rows.length; start += 10_000) {
          const chunk = rows.slice(start, start + 10_000);
          await runner.query(sql, columns.map((_, i) => chunk.map((row) => row[i])));
        }
      };
      const result = await work(insert);
      // Rows came with explicit ids: move each serial sequence past them.
      for (const table of touched) {
        await runner.query(
          `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), GREATEST((SELECT MAX(id) FROM "${table}"), 1))`,
        );
      }
      await runner.commitTransaction();
      return result;
    } catch (e) {
      await runner.rollbackTransaction();
      throw e;
    } finally {
      await runner.release();
    }
  }
}
