import { Injectable } from '@nestjs/common';
import type { Actor } from '../audit/audit.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService } from '../config/config.service.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { type FailureCounts, LoginThrottleRepository } from './login-throttle.repository.js';

/** Failures older than this count for nothing. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** The longest delay one (user name, address) pair is made to wait. */
export const MAX_DELAY_SECONDS = 15 * 60;

/**
 * Seconds one (user name, address) pair waits after `failures` failures: none for the first `free` ones, then
 * 2^failures seconds (8, 16, 32… after 3), at most 15 minutes. Pure: the page's wait and the API's come from here.
 */
export function delaySeconds(failures: number, free: number): number {
  return failures < free ? 0 : Math.min(2 ** failures, MAX_DELAY_SECONDS);
}

/** Seconds still to wait before `at`, rounded up (a wait of 0.2 s is "1 秒"). */
const secondsUntil = (end: number, now: number) => Math.max(0, Math.ceil((end - now) / 1000));

/**
 * Login throttling, counted in the database so every server process agrees. Only failures count: a correct login
 * never slows anybody down (an office behind one NAT address logs in all day). A (user name, address) pair gets a
 * growing delay; a user name is locked outright only after many failures from several addresses, until the lock
 * runs out or an administrator lifts it (audited).
 */
@Injectable()
export class LoginThrottle {
  private lastPurge = 0;
  constructor(
    private readonly repository: LoginThrottleRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
    private readonly config: ConfigService,
  ) {}

  /** The clock (replaced by tests). */
  now: () => number = Date.now;

  private get limits() {
    return this.config.limits;
  }

  /** Seconds this user name must wait before trying from this address (0: it may try now). */
  async waitBefore(username: string, address: string): Promise<{ seconds: number; locked: boolean }> {
    const now = this.now();
    const until = await this.repository.lockedUntil(username);
    if (until && until.getTime() > now) return { seconds: secondsUntil(until.getTime(), now), locked: true };
    const counts = await this.repository.counts(username, address, new Date(now - LOGIN_WINDOW_MS));
    return { seconds: this.pairWait(counts, now), locked: false };
  }

  /**
   * Records a failure (with its audit line, in one transaction) and locks the user name when the failures from
   * several addresses reach the limit. Returns the seconds the pair must now wait before its next try.
   */
  async failed(username: string, address: string, who: Actor): Promise<{ seconds: number; locked: boolean }> {
    const at = new Date(this.now());
    return this.unitOfWork.run(async (manager) => {
      await this.purge(manager, at);
      await this.repository.addFailure(manager, username, address, at);
      await this.audit.recordAccess(who, 'login_failed', { filter: { address } }, manager);
      const counts = await this.repository.counts(username, address, new Date(at.getTime() - LOGIN_WINDOW_MS), manager);
      if (counts.total >= this.limits.loginLockFailures && counts.addresses >= this.limits.loginLockAddresses) {
        const until = new Date(at.getTime() + this.limits.loginLockMinutes * 60_000);
        const current = await this.repository.lockedUntil(username, manager);
        if (!current || current < at) {
          await this.repository.lock(manager, username, until, at);
          await this.audit.recordAccess(who, 'login_locked', { filter: { failures: counts.total, addresses: counts.addresses, until: until.toISOString() } }, manager);
        }
        return { seconds: secondsUntil((current && current > at ? current : until).getTime(), at.getTime()), locked: true };
      }
      return { seconds: this.pairWait(counts, at.getTime()), locked: false };
    });
  }

  /** A correct login from this address: its earlier failures no longer slow it down (other addresses' still count). */
  async succeeded(username: string, address: string): Promise<void> {
    const counts = await this.repository.counts(username, address, new Date(this.now() - LOGIN_WINDOW_MS));
    if (counts.fromAddress === 0) return; // nothing to forget: no write on the everyday path
    await this.unitOfWork.run((manager) => this.repository.clearFailures(manager, username, address));
  }

  /** An administrator lifts a lock and forgets the user name's failures; audited. Whether a lock was in force. */
  async unlock(username: string, who: Actor): Promise<boolean> {
    const at = new Date(this.now());
    return this.unitOfWork.run(async (manager) => {
      const wasLocked = await this.repository.unlock(manager, username, at);
      await this.repository.clearFailures(manager, username);
      await this.audit.recordAccess(who, 'login_unlock', { filter: { username, wasLocked } }, manager);
      return wasLocked;
    });
  }

  private pairWait(counts: FailureCounts, now: number): number {
    const delay = delaySeconds(counts.fromAddress, this.limits.loginFailures);
    if (delay === 0 || !counts.lastFromAddress) return 0;
    return secondsUntil(counts.lastFromAddress.getTime() + delay * 1000, now);
  }

  /** Old failures are deleted now and then (at most once a minute per process), in a transaction already open. */
  private async purge(manager: Parameters<LoginThrottleRepository['purgeBefore']>[0], at: Date): Promise<void> {
    if (at.getTime() - this.lastPurge < 60_000) return;
    this.lastPurge = at.getTime();
    await this.repository.purgeBefore(manager, new Date(at.getTime() - LOGIN_WINDOW_MS));
  }
}
