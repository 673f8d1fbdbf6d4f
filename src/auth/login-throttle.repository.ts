import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

/** One user name's failed logins since a moment: in all, from how many addresses, and from the asking address. */
export interface FailureCounts {
  total: number;
  addresses: number;
  fromAddress: number;
  /** The latest failure from the asking address, the start of its delay. */
  lastFromAddress: Date | null;
}

/**
 * All SQL on login_failures and login_locks: the login throttle's state, in the database so that every server
 * process sees the same counts. Writes take the caller's manager (inside UnitOfWork.run); reads see the last
 * committed state.
 */
@Injectable()
export class LoginThrottleRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** Instants as the tables keep them: timestamptz on PostgreSQL, sortable ISO text with milliseconds on SQLite. */
  private instant(d: Date): unknown {
    return this.dialect.postgres ? d : d.toISOString();
  }

  async counts(username: string, address: string, since: Date, manager: EntityManager = this.dataSource.manager): Promise<FailureCounts> {
    const p = new Params(this.dialect);
    // Placeholders in the order they appear (SQLite's are positional).
    const [row] = await manager.query(
      `SELECT COUNT(*) AS total, COUNT(DISTINCT address) AS addresses,
              SUM(CASE WHEN address = ${p.add(address)} THEN 1 ELSE 0 END) AS from_address,
              MAX(CASE WHEN address = ${p.add(address)} THEN failed_at END) AS last_from_address
         FROM login_failures WHERE username = ${p.add(username)} AND failed_at > ${p.add(this.instant(since))}`,
      p.values,
    );
    return {
      total: Number(row?.total ?? 0),
      addresses: Number(row?.addresses ?? 0),
      fromAddress: Number(row?.from_address ?? 0),
      lastFromAddress: row?.last_from_address ? new Date(row.last_from_address) : null,
    };
  }

  async addFailure(manager: EntityManager, username: string, address: string, at: Date): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(`INSERT INTO login_failures (username, address, failed_at) VALUES (${p.add(username)}, ${p.add(address)}, ${p.add(this.instant(at))})`, p.values);
  }

  /** Forgets one address's failures for a user name (after a correct login from there), or all of them (unlock). */
  async clearFailures(manager: EntityManager, username: string, address?: string): Promise<void> {
    const p = new Params(this.dialect);
    const user = p.add(username); // placeholders in the order they appear (SQLite's are positional)
    const where = address === undefined ? '' : ` AND address = ${p.add(address)}`;
    await manager.query(`DELETE FROM login_failures WHERE username = ${user}${where}`, p.values);
  }

  /** Failures older than the window count for nothing. */
  async purgeBefore(manager: EntityManager, before: Date): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(`DELETE FROM login_failures WHERE failed_at < ${p.add(this.instant(before))}`, p.values);
  }

  /** Until when the user name is locked, or null. */
  async lockedUntil(username: string, manager: EntityManager = this.dataSource.manager): Promise<Date | null> {
    const p = new Params(this.dialect);
    const [row] = await manager.query(`SELECT locked_until FROM login_locks WHERE username = ${p.add(username)}`, p.values);
    return row ? new Date(row.locked_until) : null;
  }

  async lock(manager: EntityManager, username: string, until: Date, at: Date): Promise<void> {
    const p = new Params(this.dialect);
    const [user, end, now] = [p.add(username), p.add(this.instant(until)), p.add(this.instant(at))];
    await manager.query(
      `INSERT INTO login_locks (username, locked_until, locked_at) VALUES (${user}, ${end}, ${now})
         ON CONFLICT (username) DO UPDATE SET locked_until = excluded.locked_until, locked_at = excluded.locked_at`,
      p.values,
    );
  }

  /** Lifts a lock; whether there was one still in force at `now`. */
  async unlock(manager: EntityManager, username: string, now: Date): Promise<boolean> {
    const until = await this.lockedUntil(username, manager);
    const p = new Params(this.dialect);
    await manager.query(`DELETE FROM login_locks WHERE username = ${p.add(username)}`, p.values);
    return until !== null && until > now;
  }
}
