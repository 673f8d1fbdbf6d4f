import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

/** A key's window after counting one more request: when it started and how many requests it holds now. */
export interface CountedWindow {
  windowStart: Date;
  hits: number;
}

/**
 * All SQL on request_counts: the per-account request limit's state, in the database so that every server process
 * counts the same requests. Writes take the caller's manager (inside UnitOfWork.run).
 */
@Injectable()
export class RequestCountRepository {
  private readonly dialect: SqlDialect;

  constructor(dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** Instants as the table keeps them: timestamptz on PostgreSQL, sortable ISO text with milliseconds on SQLite. */
  private instant(d: Date): unknown {
    return this.dialect.postgres ? d : d.toISOString();
  }

  /**
   * Counts one request for `key` in one statement: a window that started at or before `expiredFrom` is over and a
   * new one starts at `now` with this request; otherwise the request is added to the current window. The row lock
   * of the upsert makes concurrent requests (from any server) count one after the other.
   */
  async hit(manager: EntityManager, key: string, now: Date, expiredFrom: Date): Promise<CountedWindow> {
    const p = new Params(this.dialect);
    // Placeholders in the order they appear (SQLite's are positional). Every SET reads the row as it was.
    const [k, at, expired1, expired2] = [p.add(key), p.add(this.instant(now)), p.add(this.instant(expiredFrom)), p.add(this.instant(expiredFrom))];
    const rows = await manager.query(
      `INSERT INTO request_counts ("key", window_start, hits) VALUES (${k}, ${at}, 1)
         ON CONFLICT ("key") DO UPDATE SET
           hits = CASE WHEN request_counts.window_start <= ${expired1} THEN 1 ELSE request_counts.hits + 1 END,
           window_start = CASE WHEN request_counts.window_start <= ${expired2} THEN excluded.window_start ELSE request_counts.window_start END
         RETURNING window_start, hits`,
      p.values,
    );
    const row = rows[0];
    return { windowStart: new Date(row.window_start), hits: Number(row.hits) };
  }

  /** Windows that ended before `before` count for nothing: their rows are deleted now and then. */
  async purgeBefore(manager: EntityManager, before: Date): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(`DELETE FROM request_counts WHERE window_start < ${p.add(this.instant(before))}`, p.values);
  }
}
