import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConfigService } from '../config/config.service.js';
import { driverCode, infrastructureError } from './database-errors.js';
import { onPrimary, RequestAccount } from './read-routing.js';
import { ReplicaMarks } from './replica-marks.repository.js';
import type { SqliteGate } from './sqlite-gate.js';

export const SQLITE_GATE = Symbol('SQLITE_GATE');

/** Runs of a transaction PostgreSQL chose as a deadlock's victim, before the caller hears DATABASE_BUSY. */
const DEADLOCK_ATTEMPTS = 3;

/**
 * The one way to change the database: `run(work)` gives `work` a manager inside a transaction and commits when it
 * resolves, rolls back when it throws. On SQLite every transaction passes the writer's FIFO gate (see SqliteGate);
 * on PostgreSQL it takes a connection of its own from the pool. Storage failures come out as InfrastructureErrors
 * (DATABASE_UNAVAILABLE, STORAGE_FULL…), always after the rollback.
 *
 * A transaction never opens another: on SQLite that would wait for itself, and on either database the inner one
 * would commit on its own. Pass the manager down instead.
 *
 * With a read replica (ReadRouting), a transaction always runs on the primary, and one made for a request's account
 * bumps that account's replica mark as its last statement, so the account's next reads wait for the replica to
 * have it (read your writes). `bookkeeping`: the server's own state (request counts, idempotency keys, audit lines
 * of reads), nothing the caller reads back: no mark.
 */
@Injectable()
export class UnitOfWork implements OnModuleDestroy {
  private readonly inside = new AsyncLocalStorage<boolean>();
  private readonly marksWrites: boolean;

  constructor(
    readonly dataSource: DataSource,
    @Optional() @Inject(SQLITE_GATE) private readonly gate: SqliteGate | null = null,
    @Optional() @Inject(ConfigService) config: ConfigService | null = null,
  ) {
    const db = config?.values.database;
    this.marksWrites = db?.kind === 'postgres' && Boolean(db.replica);
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** True while the caller is inside `run` (its work, or anything it awaits). */
  get inTransaction(): boolean {
    return this.inside.getStore() === true;
  }

  onModuleDestroy(): void {
    this.gate?.close();
  }

  /**
   * One statement of the server's own bookkeeping (a request count), atomic by itself: on PostgreSQL it runs on the
   * primary without BEGIN and COMMIT around it (two round trips fewer on every request); on SQLite it passes the
   * writer's gate like any transaction. No replica mark, as with `bookkeeping`.
   */
  async statement<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isPostgres || this.inTransaction) return this.run(work, { bookkeeping: true });
    try {
      return await onPrimary(() => work(this.dataSource.manager));
    } catch (e) {
      throw infrastructureError(e) ?? e;
    }
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>, options: { bookkeeping?: boolean } = {}): Promise<T> {
    if (this.inTransaction) throw new Error('事务中不能再开启事务：请把 manager 传给要写入的代码');
    const accountId = this.marksWrites && !options.bookkeeping ? RequestAccount.current() : undefined;
    const marked = (manager: EntityManager) =>
      this.inside.run(true, async () => {
        const result = await work(manager);
        if (accountId !== undefined) await ReplicaMarks.bump(manager, accountId);
        return result;
      });
    for (let attempt = 1; ; attempt++) {
      try {
        // On SQLite, SqliteGate routes dataSource.transaction through its FIFO gate on the writer.
        return await onPrimary(() => this.dataSource.transaction(marked));
      } catch (e) {
        // PostgreSQL broke a deadlock by rolling this transaction back (two saves bumping the same grids' summary
        // versions in opposite orders, say): nothing of it was kept, so it runs again, as the server's own retry.
        if (attempt < DEADLOCK_ATTEMPTS && driverCode(e) === '40P01') continue;
        throw infrastructureError(e) ?? e;
      }
    }
  }
}
