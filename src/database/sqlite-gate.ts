import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js';
import { DatabaseBusyError } from '../common/errors/infrastructure-errors.js';
import { driverCode } from './database-errors.js';

type Connection = Database.Database;

interface SqliteDriver {
  databaseConnection: Connection;
  createDatabaseConnection(): Promise<Connection>;
  createQueryRunner(mode?: string): QueryRunner;
}

/** How long a write waits for another process's write lock before answering DATABASE_BUSY. */
export const SQLITE_BUSY_WAIT_MS = 5000;

/**
 * TypeORM's better-sqlite3 driver has one connection for everything (TypeORM #1884): a transaction left open across
 * an `await` is seen by every other request. So SQLite gets two connections:
 *
 * - the writer (TypeORM's own): every transaction and every write goes through `exclusive`, one at a time in
 *   arrival order (a FIFO gate), as BEGIN IMMEDIATE … COMMIT. After any failure the connection is checked and, if
 *   it is still inside a transaction, rolled back — or closed and reopened — so nothing acknowledged later rides
 *   on a transaction that can never commit (disk full, I/O errors).
 * - a read-only reader: every query outside the gate (TypeORM's `dataSource.query`, `dataSource.manager`, its
 *   repositories) runs there and sees the last committed state (WAL). A write attempted there fails: writes
 *   outside the gate cannot happen by accident. TypeORM's `dataSource.transaction` is routed through the gate.
 *
 * Another process holding the write lock (the import CLI, a backup) is waited out asynchronously, so the event
 * loop keeps answering reads meanwhile.
 */
export class SqliteGate {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly writer: QueryRunner;
  private readonly reader: QueryRunner;
  private readerConnection: Connection;

  private constructor(
    private readonly dataSource: DataSource,
    path: string,
  ) {
    const driver = this.driver;
    this.writer = driver.createQueryRunner('master');
    this.readerConnection = openReader(path);
    const reader = new BetterSqlite3QueryRunner(driver as never);
    // The runner asks its driver for the connection on every statement: point this one at the reader.
    reader.connect = () => Promise.resolve(this.readerConnection);
    this.reader = reader as unknown as QueryRunner;
    Object.assign(this.reader, { manager: dataSource.createEntityManager(this.reader) });
    driver.createQueryRunner = () => this.reader;
    // TypeORM's own transaction API (dataSource.transaction, dataSource.manager.transaction) passes the gate too.
    const manager = dataSource.manager as EntityManager & { transaction: unknown };
    manager.transaction = (a: unknown, b?: unknown) => this.exclusive((typeof a === 'function' ? a : b) as (m: EntityManager) => Promise<unknown>);
    // The writer waits briefly inside a statement; waiting for another process's lock happens in `begin`.
    this.connection.pragma('busy_timeout = 100');
  }

  /** Installs the gate on an initialized (migrated) DataSource. */
  static install(dataSource: DataSource, path: string): SqliteGate {
    return new SqliteGate(dataSource, path);
  }

  private get driver(): SqliteDriver {
    return this.dataSource.driver as unknown as SqliteDriver;
  }

  /** The writer connection, for the bulk paths below the ORM (only inside `exclusive`). */
  get connection(): Connection {
    return this.driver.databaseConnection;
  }

  /** A manager on the writer, valid inside `exclusive` only. */
  private manager(): EntityManager {
    return this.dataSource.createEntityManager(this.writer);
  }

  /** Runs `work` in a transaction of its own on the writer, after every transaction that came before it. */
  exclusive<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    await this.begin();
    try {
      const runner = this.writer as QueryRunner & { isTransactionActive: boolean; transactionDepth: number };
      // TypeORM's own bookkeeping: a nested manager.transaction() becomes a savepoint, not a second BEGIN.
      runner.isTransactionActive = true;
      runner.transactionDepth = 1;
      const result = await work(this.manager());
      this.connection.exec('COMMIT');
      return result;
    } catch (e) {
      await this.recover();
      throw e;
    } finally {
      Object.assign(this.writer, { isTransactionActive: false, transactionDepth: 0 });
    }
  }

  /** BEGIN IMMEDIATE, waiting (without blocking the event loop) while another process holds the write lock. */
  private async begin(): Promise<void> {
    const deadline = Date.now() + SQLITE_BUSY_WAIT_MS;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      try {
        if (this.connection.inTransaction) await this.recover();
        this.connection.exec('BEGIN IMMEDIATE');
        return;
      } catch (e) {
        if (!driverCode(e)?.startsWith('SQLITE_BUSY')) throw e;
        if (Date.now() >= deadline) throw new DatabaseBusyError();
        await sleep(pause);
      }
    }
  }

  /**
   * After a failure the connection must not stay inside a transaction: SQLite rolls some errors back by itself
   * (SQLITE_FULL may or may not), so check, roll back, and if even that fails reopen the connection.
   */
  private async recover(): Promise<void> {
    if (!this.connection.inTransaction) return;
    try {
      this.connection.exec('ROLLBACK');
    } catch {
      // fall through to the check below
    }
    if (!this.connection.inTransaction) return;
    await this.reopen();
  }

  private async reopen(): Promise<void> {
    const driver = this.driver;
    try {
      driver.databaseConnection.close();
    } catch {
      // closing a broken connection may fail too; it is dropped either way
    }
    driver.databaseConnection = await driver.createDatabaseConnection();
    driver.databaseConnection.pragma('busy_timeout = 100');
    (this.writer as unknown as { stmtCache: Map<string, unknown> }).stmtCache.clear();
  }

  /** The reader's answer to `SELECT 1`, for readiness. */
  ping(): void {
    this.readerConnection.prepare('SELECT 1').get();
  }

  close(): void {
    this.readerConnection.close();
  }
}

function openReader(path: string): Connection {
  const reader = new Database(path, { readonly: true, fileMustExist: true, timeout: SQLITE_BUSY_WAIT_MS });
  reader.pragma('busy_timeout = 5000');
  return reader;
}
