import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type BulkInsert = (table: string, columns: string[], rows: unknown[][]) => Promise<void>;

interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  exec(sql: string): void;
}

/**
 * Bulk paths (seeding, later imports) go below the ORM: prepared statements on SQLite, multi-row INSERTs on
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
      const insert: BulkInsert = async (table, columns, rows) => {
        touched.add(table);
        const perStatement = Math.max(1, Math.floor(60000 / columns.length)); // PostgreSQL allows 65,535 parameters
        for (let start = 0; start < rows.length; start += perStatement) {
          const chunk = rows.slice(start, start + perStatement);
          const params: unknown[] = [];
          const values = chunk.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
          await runner.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`, params);
        }
      };
      const result = await work(insert);
      // Rows came with explicit ids: move each serial sequence past them.
      for (const table of touched) {
        await runner.query(
          `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), GREATEST((SELECT MAX(id) FROM "${table}"), 1)) WHERE pg_get_serial_sequence('"${table}"', 'id') IS NOT NULL`,
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
