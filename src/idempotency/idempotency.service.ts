import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../common/errors/idempotency-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { IdempotencyKeyRepository, type KeyRef } from './idempotency-key.repository.js';

/** Keys are the server's own state, not a change the caller reads back: no read-your-writes mark (UnitOfWork). */
const BOOKKEEPING = { bookkeeping: true };

/** An answer as it was sent the first time. */
export interface StoredResponse {
  status: number;
  body: string;
}

/** This process runs the request under the key; `finish` must follow. */
export interface Claim extends KeyRef {
  claimId: string;
}

export type Begin = { run: Claim } | { replay: StoredResponse };

const DAY_MS = 24 * 3600_000;

/**
 * Idempotency keys, independent of the transport: `begin` decides whether this request runs (it claimed the key),
 * replays a stored answer, or is refused; `finish` stores the answer or forgets the key.
 *
 * The database decides every race (the table's primary key; a lease changed only by the claim that owns it), never
 * this process's memory, so retries hitting another server process behave the same. A running key's owner renews
 * its lease while it runs; a lapsed lease means the owner died and another request may take the key over.
 */
@Injectable()
export class IdempotencyService implements OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  /** Tunable for tests; the defaults are the documented behaviour. */
  readonly timing = {
    /** Keys are kept at least this long (answers replayed), then deleted. */
    keepMs: DAY_MS,
    /** A retry waits this long for the first request to finish before answering IDEMPOTENCY_KEY_IN_PROGRESS. */
    waitMs: 10_000,
    /** A running key's lease, renewed by its owner every `renewMs`. */
    leaseMs: 60_000,
    renewMs: 15_000,
    /** Expired keys are purged at most this often per process, `purgeBatch` rows at a time (bounded work). */
    purgeEveryMs: 10 * 60_000,
    purgeBatch: 500,
  };
  private readonly renewals = new Map<string, NodeJS.Timeout>();
  private lastPurge = 0;

  constructor(
    private readonly keys: IdempotencyKeyRepository,
    private readonly uow: UnitOfWork,
  ) {}

  async begin(ref: KeyRef, requestHash: string): Promise<Begin> {
    await this.purgeExpired();
    const deadline = Date.now() + this.timing.waitMs;
    // Claiming is a write: tried first, then only when the key has gone; waiting is done with reads.
    let tryClaim = true;
    for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
      const now = new Date();
      const claim = { ...ref, claimId: randomUUID() };
      const lease = new Date(now.getTime() + this.timing.leaseMs);
      if (tryClaim && (await this.uow.run((m) => this.keys.claim(m, ref, requestHash, claim.claimId, now, lease), BOOKKEEPING))) return { run: this.started(claim) };
      const row = await this.keys.find(ref);
      const expiredBefore = new Date(now.getTime() - this.timing.keepMs);
      if (row && row.createdAt < expiredBefore) await this.uow.run((m) => this.keys.removeIfCreatedBefore(m, ref, expiredBefore), BOOKKEEPING);
      tryClaim = !row || row.createdAt < expiredBefore;
      if (!tryClaim && row) {
        if (row.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
        if (row.state === 'done') return { replay: { status: row.responseStatus ?? 200, body: row.responseBody ?? '{}' } };
        if (row.leaseUntil < now && (await this.uow.run((m) => this.keys.takeOver(m, ref, row.claimId, claim.claimId, now, lease), BOOKKEEPING))) {
          this.logger.warn('幂等键的上一次请求未在租约内完成（进程可能已退出），由本次请求接手执行');
          return { run: this.started(claim) };
        }
      }
      // Running elsewhere: wait and look again, within the bound (a key that just went is claimed at once).
      const left = deadline - Date.now();
      if (left <= 0) throw new IdempotencyKeyInProgressError(Math.max(1, Math.ceil(this.timing.waitMs / 2000)));
      if (!tryClaim) await sleep(Math.min(pause, left));
    }
  }

  /** Stores the answer (or, given null, forgets the key so that a retry runs again). Never throws: the answer goes out regardless. */
  async finish(claim: Claim, response: StoredResponse | null): Promise<void> {
    clearInterval(this.renewals.get(claim.claimId));
    this.renewals.delete(claim.claimId);
    try {
      await this.uow.run((m) =>
        response ? this.keys.complete(m, claim, claim.claimId, response.status, response.body) : this.keys.release(m, claim, claim.claimId),
      BOOKKEEPING);
    } catch (e) {
      // The key stays running until its lease lapses; a retry after that runs the request again.
      this.logger.warn(`幂等键的结果未能保存：${e instanceof Error ? e.message : String(e)}`);
    }
  }

  onModuleDestroy(): void {
    for (const timer of this.renewals.values()) clearInterval(timer);
    this.renewals.clear();
  }

  private started(claim: Claim): Claim {
    const renew = () => {
      const lease = new Date(Date.now() + this.timing.leaseMs);
      this.uow.run((m) => this.keys.renew(m, claim, claim.claimId, lease), BOOKKEEPING).catch(() => undefined);
    };
    this.renewals.set(claim.claimId, setInterval(renew, this.timing.renewMs).unref());
    return claim;
  }

  /** Deletes keys older than the retention, a bounded batch at most every few minutes (any process may). */
  private async purgeExpired(): Promise<void> {
    if (Date.now() - this.lastPurge < this.timing.purgeEveryMs) return;
    this.lastPurge = Date.now();
    const before = new Date(Date.now() - this.timing.keepMs);
    await this.uow.run((m) => this.keys.purge(m, before, this.timing.purgeBatch), BOOKKEEPING);
  }
}
