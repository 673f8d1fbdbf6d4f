import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { infrastructureError } from './database-errors.js';
import type { SqliteGate } from './sqlite-gate.js';
import { SQLITE_GATE } from './unit-of-work.js';

export type BulkInsert = (table: string, columns: string[], rows: unknown[][]) => Promise<void>;

/**
 * Bulk paths (seeding, later imports) go below the ORM: prepared statements on SQLite, unnest of column arrays on
 * PostgreSQL, all inside one transaction so a failure leaves nothing half-written. On SQLite that transaction
 * passes the writer's gate like every other.
 */
@Injectable()
export class BulkWriter {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(SQLITE_GATE) private readonly gate: SqliteGate | null = null,
  ) {}

  async transaction<T>(work: (insert: BulkInsert) => Promise<T>): Promise<T> {
    try {
      return await (this.gate ? this.gate.exclusive(() => this.sqlite(this.gate!, work)) : this.postgres(work));
    } catch (e) {
      throw infrastructureError(e) ?? e;
    }
  }

  private async sqlite<T>(gate: SqliteGate, work: (insert: BulkInsert) => Promise<T>): Promise<T> {
    const db = gate.connection;
    const statements = new Map<string, { run(...params: unknown[]): unknown }>();
    const insert: BulkInsert = async (table, columns, rows) => {
      const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare(sql)));
      // better-sqlite3 binds no booleans
      for (const row of rows) statement.run(...row.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
    };
    return work(insert);
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
