import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Reads PostgreSQL plans once per connection: a department's pull runs the same page statement thousands of times,
 * and planning its joins costs a third of running it. Each statement text gets a named prepared statement on each
 * pooled connection it meets (as JDBC drivers do after a few runs; PostgreSQL still plans afresh for given values
 * while a general plan would cost more). Only for a small set of texts — a form's page statements — not for
 * statements whose text varies with their values (IN lists). SQLite keeps its statements prepared already (TypeORM's
 * statement cache): there this is the plain query. Reads go where `dataSource.query` would (ReadRouting).
 */
@Injectable()
export class PreparedReads {
  private readonly postgres: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  async query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    if (!this.postgres) return this.dataSource.query(sql, params);
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PgClient;
      this.dataSource.logger.logQuery(sql, params, runner);
      // The name follows from the text: the same text is the same statement on every connection, never another.
      const name = `ybt_${createHash('sha1').update(sql).digest('hex').slice(0, 32)}`;
      return (await client.query({ name, text: sql, values: params })).rows;
    } catch (e) {
      throw new QueryFailedError(sql, params, e as Error);
    } finally {
      await runner.release();
    }
  }
}
