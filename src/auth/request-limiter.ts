import { UnitOfWork } from '../database/unit-of-work.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestCountRepository } from './request-count.repository.js';

/** The per-account (before login: per-address) request limit: how long a key must wait, or 0 if this request may pass. */
export abstract class RequestLimiter {
  abstract readonly limit: number;
  /** Seconds until `key` may make a request again, or 0 if it may now (and then the request is counted). */
  abstract take(key: string): Promise<number>;
}

/** In process memory: exact for one server process (SQLite, whose file belongs to one server). */
export class MemoryRequestLimiter extends RequestLimiter {
  private readonly limiter: RateLimiter;
  constructor(readonly limit: number, windowMs = 60_000, now: () => number = Date.now) {
    super();
    this.limiter = new RateLimiter(limit, windowMs, now);
  }
  take(key: string): Promise<number> {
    return Promise.resolve(this.limiter.take(key));
  }
}

/** How often each process deletes windows that ended long ago. */
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * In the database (PostgreSQL, several servers behind a load balancer): one window per key, starting with the
 * key's first request after the previous window ended and lasting `windowMs`; at most `limit` requests pass in it,
 * however many servers they reach. Every request, refused or not, is one upsert (UnitOfWork.statement: it pins no
 * reads to the primary); refused requests do not make the window longer.
 */
export class DatabaseRequestLimiter extends RequestLimiter {
  private lastPurge = 0;

  constructor(
    private readonly repository: RequestCountRepository,
    private readonly unitOfWork: UnitOfWork,
    readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async take(key: string): Promise<number> {
    const now = this.now();
    const purge = now - this.lastPurge >= PURGE_EVERY_MS;
    if (purge) this.lastPurge = now;
    if (purge) await this.unitOfWork.statement((manager) => this.repository.purgeBefore(manager, new Date(now - 2 * this.windowMs)));
    // One upsert, atomic by itself (its row lock orders concurrent requests): no transaction around it.
    const window = await this.unitOfWork.statement((manager) => this.repository.hit(manager, key.slice(0, 100), new Date(now), new Date(now - this.windowMs)));
    if (window.hits <= this.limit) return 0;
    return Math.max(1, Math.ceil((window.windowStart.getTime() + this.windowMs - now) / 1000));
  }
}
