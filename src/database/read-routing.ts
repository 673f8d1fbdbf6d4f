import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { DatabaseUnavailableError } from '../common/errors/infrastructure-errors.js';
import type { AppConfig, ReplicaConfig } from '../config/app-config.js';
import { ConfigService } from '../config/config.service.js';
import { POSTGRES_POOL } from './data-source-options.js';
import { driverCode, infrastructureError } from './database-errors.js';
import { ReplicaMarks } from './replica-marks.repository.js';

type Target = 'primary' | 'replica';

/** Where the reads of the current async context go; unset means the primary. */
const target = new AsyncLocalStorage<Target>();
/** The account behind the current request (set by AuthMiddleware): whose changes pin its reads to the primary. */
const account = new AsyncLocalStorage<number>();

/** The request's account, for the read-your-writes marks (UnitOfWork) — never for access decisions. */
export const RequestAccount = {
  run<T>(accountId: number, fn: () => T): T {
    return account.run(accountId, fn);
  },
  current(): number | undefined {
    return account.getStore();
  },
};

/** Runs `fn` with every query on the primary (transactions: writes never go to the replica). */
export function onPrimary<T>(fn: () => T): T {
  return target.run('primary', fn);
}

/** The database a cursor of its own should connect to (exports): the replica's URL inside a replica read. */
export function routedDatabase(db: AppConfig['database']): AppConfig['database'] {
  return db.kind === 'postgres' && db.replica && target.getStore() === 'replica' ? { ...db, url: db.replica.url } : db;
}

/** What the last look at the replica found; `lagSeconds` bounds how old the replica's data may be. */
export interface ReplicaState {
  reachable: boolean;
  inRecovery: boolean;
  /** WAL bytes the replica has not replayed yet, as of the look. */
  lagBytes: number | null;
  /** 0 when it had replayed everything the primary had written; else the time since it last had. */
  lagSeconds: number | null;
  paused: boolean;
  checkedAt: number;
  message?: string;
}

interface PgPool {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  on(event: 'error', listener: (e: Error) => void): void;
}
interface PgDriver {
  postgres: { Pool: new (options: Record<string, unknown>) => PgPool };
  slaves: PgPool[];
  isReplicated: boolean;
  createQueryRunner(mode?: 'master' | 'slave'): QueryRunner;
}

const PROBE_EVERY_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;
/** A look older than this says nothing: the replica counts as unusable until the next one. */
const STALE_AFTER_MS = 5000;

/**
 * Read routing for a PostgreSQL streaming replica (DATABASE_REPLICA_URL), with TypeORM's own replication support:
 * the replica is the driver's "slave" pool and a query runner made in mode "slave" reads there. The pool is
 * attached after start (TypeORM's `replication` option connects it eagerly, so a replica that is down would stop
 * the server from starting), and the driver's `createQueryRunner` is routed by the async context instead of by
 * the kind of statement: TypeORM would send every query-builder SELECT to the replica, including the ones that must
 * see the caller's own write. So, as SqliteGate does for SQLite's reader and writer:
 *
 * - only what runs inside `replica(viewer, work)` reads from the replica (department pulls, views, exports);
 *   everything else, and every transaction (UnitOfWork.run runs `onPrimary`), uses the primary;
 * - an account that changed something reads from the primary until the replica has replayed that change: each
 *   transaction made for an account bumps its counter in replica_marks, and `replica` compares the primary's value
 *   with the replica's (read your writes, across servers, for as long as the replica is behind — no fixed window);
 * - a replica that cannot be reached, is not in recovery (promoted, or a primary by mistake) or is further behind
 *   than REPLICA_MAX_LAG_SECONDS is not used: reads go to the primary, and readiness says "degraded", not "not
 *   ready" (this server can still answer everything; taking it out of the load balancer would not help).
 */
@Injectable()
export class ReadRouting implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly replicaConfig: ReplicaConfig | null;
  private readonly pool: PgPool | null = null;
  private state: ReplicaState | null = null;
  private caughtUpAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private probing: Promise<ReplicaState> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    config: ConfigService,
  ) {
    const db = config.values.database;
    this.replicaConfig = db.kind === 'postgres' ? (db.replica ?? null) : null;
    if (!this.replicaConfig) return;
    const driver = dataSource.driver as unknown as PgDriver;
    const pool = new driver.postgres.Pool({ ...POSTGRES_POOL, connectionString: this.replicaConfig.url });
    pool.on('error', () => undefined); // an idle connection lost: the next probe notices
    this.pool = pool;
    driver.slaves = [pool]; // closed by TypeORM with the primary's pool
    driver.isReplicated = true;
    const create = driver.createQueryRunner.bind(driver);
    driver.createQueryRunner = () => create(target.getStore() === 'replica' ? 'slave' : 'master');
  }

  get enabled(): boolean {
    return this.pool !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.pool) return;
    const tick = () => {
      void this.probe().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, PROBE_EVERY_MS).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Runs `work` with its reads on the replica when it is usable and holds the viewer's own changes; otherwise on
   * the primary. `retry`: a read that failed because of the replica (lost, or a query cancelled by replay) runs
   * again on the primary — for work that has sent nothing yet (not a streamed download).
   */
  async replica<T>(viewer: { accountId?: number | null } | undefined, work: () => Promise<T>, options: { retry?: boolean } = {}): Promise<T> {
    if (!this.pool || target.getStore() === 'primary' || !(await this.holdsOwnWrites(viewer?.accountId ?? null))) return onPrimary(work);
    try {
      return await target.run('replica', work);
    } catch (e) {
      if (options.retry === false || !replicaTrouble(e)) throw e;
      this.state = this.down('只读副本查询失败，已改读主库');
      return onPrimary(work);
    }
  }

  /** Whether the replica is usable now and has replayed the account's last change. */
  private async holdsOwnWrites(accountId: number | null): Promise<boolean> {
    if (!this.usable()) return false;
    if (accountId === null) return true;
    try {
      const mine = await onPrimary(() => ReplicaMarks.read(this.dataSource, accountId));
      if (mine === 0) return true;
      return (await timed(ReplicaMarks.read(this.pool!, accountId))) >= mine;
    } catch {
      return false;
    }
  }

  private usable(): boolean {
    const s = this.state;
    return Boolean(s && s.reachable && s.inRecovery && s.lagSeconds !== null && s.lagSeconds <= this.replicaConfig!.maxLagSeconds && Date.now() - s.checkedAt < STALE_AFTER_MS);
  }

  /**
   * For readiness: a look at the replica begun after the call, null when none is configured. A look already under
   * way may have read the primary's position before the caller's last commit, so it is waited out, not shared.
   */
  async report(): Promise<(ReplicaState & { servingReads: boolean; maxLagSeconds: number }) | null> {
    if (!this.pool) return null;
    await this.probing;
    const state = await this.probe();
    return { ...state, servingReads: this.usable(), maxLagSeconds: this.replicaConfig!.maxLagSeconds };
  }

  /** One look at the replica (concurrent callers share it). */
  probe(): Promise<ReplicaState> {
    this.probing ??= this.look().then((s) => (this.state = s)).finally(() => (this.probing = null));
    return this.probing;
  }

  private async look(): Promise<ReplicaState> {
    const started = Date.now();
    let lsn: string;
    try {
      // The primary's position first: a replica that has replayed up to it had everything committed before `started`
      // (with synchronous_commit on; with it off a commit returns before its WAL is written, so the lag is measured
      // up to wal_writer_delay short — read-your-writes does not depend on it, replica_marks is exact).
      [{ lsn }] = await onPrimary(() => timed(this.dataSource.query('SELECT pg_current_wal_lsn()::text AS lsn')));
    } catch {
      return { ...this.down('主库无应答，无法测量只读副本的延迟'), reachable: this.state?.reachable ?? false };
    }
    try {
      const { rows } = await timed(this.pool!.query(
        `SELECT pg_is_in_recovery() AS recovery,
                CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::float8 END AS behind,
                CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS paused,
                EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS since_replay`,
        [lsn],
      ));
      const r = rows[0];
      if (!r.recovery) return { reachable: true, inRecovery: false, lagBytes: null, lagSeconds: null, paused: false, checkedAt: Date.now(), message: '只读副本不在恢复（复制）状态：可能已被提升为主库，部门查询改读主库' };
      const behind = Math.max(0, Number(r.behind ?? 0));
      if (behind === 0) this.caughtUpAt = started;
      const lagSeconds = behind === 0 ? 0 : this.caughtUpAt !== null ? (Date.now() - this.caughtUpAt) / 1000 : r.since_replay === null ? null : Number(r.since_replay);
      const state: ReplicaState = { reachable: true, inRecovery: true, lagBytes: behind, lagSeconds: lagSeconds === null ? null : Math.round(lagSeconds * 10) / 10, paused: Boolean(r.paused), checkedAt: Date.now() };
      if (lagSeconds === null || lagSeconds > this.replicaConfig!.maxLagSeconds) state.message = `只读副本落后超过 ${this.replicaConfig!.maxLagSeconds} 秒，部门查询改读主库`;
      return state;
    } catch {
      return this.down('只读副本无法连接，部门查询改读主库');
    }
  }

  private down(message: string): ReplicaState {
    return { reachable: false, inRecovery: false, lagBytes: null, lagSeconds: null, paused: false, checkedAt: Date.now(), message };
  }
}

/** A failure of the replica rather than of the work: the connection, or a query cancelled by a conflict with replay. */
function replicaTrouble(e: unknown): boolean {
  return infrastructureError(e) instanceof DatabaseUnavailableError || driverCode(e) === '40001';
}

function timed<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
