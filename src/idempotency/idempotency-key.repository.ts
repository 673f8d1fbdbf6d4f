import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

export type KeyState = 'running' | 'done';

/** One stored key: who ran which request under it, whether it finished, and its answer once it did. */
export interface KeyRow {
  requestHash: string;
  claimId: string;
  state: KeyState;
  responseStatus: number | null;
  responseBody: string | null;
  leaseUntil: Date;
  createdAt: Date;
}

/** A key of one account. */
export interface KeyRef {
  accountId: number;
  key: string;
}

/**
 * All SQL on idempotency_keys. Writes take the caller's manager (inside UnitOfWork.run); `find` reads the last
 * committed state. Every change to a running key names the claim that owns it, so an owner whose lease was taken
 * over cannot overwrite its successor.
 */
@Injectable()
export class IdempotencyKeyRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** Instants as the table keeps them: timestamptz on PostgreSQL, sortable ISO text with milliseconds on SQLite. */
  private instant(d: Date): unknown {
    return this.dialect.postgres ? d : d.toISOString();
  }

  /** Inserts the key as running under `claimId`; false if the account already has this key (the race is decided here). */
  async claim(manager: EntityManager, ref: KeyRef, requestHash: string, claimId: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const p = new Params(this.dialect);
    const values = [ref.accountId, ref.key, requestHash, claimId, 'running', this.instant(leaseUntil), this.instant(now)].map((v) => p.add(v));
    const result = await manager.query(
      `INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, claim_id, state, lease_until, created_at)
       VALUES (${values.join(', ')}) ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING claim_id`,
      p.values,
    );
    return returned(result).length === 1;
  }

  async find(ref: KeyRef): Promise<KeyRow | null> {
    const p = this.dialect.param;
    const [row] = await this.dataSource.query(
      `SELECT request_hash, claim_id, state, response_status, response_body, lease_until, created_at FROM idempotency_keys
        WHERE account_id = ${p(1)} AND idempotency_key = ${p(2)}`,
      [ref.accountId, ref.key],
    );
    if (!row) return null;
    return {
      requestHash: String(row.request_hash),
      claimId: String(row.claim_id),
      state: row.state as KeyState,
      responseStatus: row.response_status === null ? null : Number(row.response_status),
      responseBody: row.response_body === null ? null : String(row.response_body),
      leaseUntil: new Date(row.lease_until),
      createdAt: new Date(row.created_at),
    };
  }

  /** Takes over a running key whose owner let its lease lapse (its process died): true if this claim now owns it. */
  async takeOver(manager: EntityManager, ref: KeyRef, lapsedClaimId: string, claimId: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const p = new Params(this.dialect);
    const result = await manager.query(
      `UPDATE idempotency_keys SET claim_id = ${p.add(claimId)}, lease_until = ${p.add(this.instant(leaseUntil))}
        WHERE account_id = ${p.add(ref.accountId)} AND idempotency_key = ${p.add(ref.key)} AND claim_id = ${p.add(lapsedClaimId)}
          AND state = 'running' AND lease_until < ${p.add(this.instant(now))} RETURNING claim_id`,
      p.values,
    );
    return returned(result).length === 1;
  }

  /** Extends the owner's lease while its request runs. */
  async renew(manager: EntityManager, ref: KeyRef, claimId: string, leaseUntil: Date): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(
      `UPDATE idempotency_keys SET lease_until = ${p.add(this.instant(leaseUntil))}
        WHERE account_id = ${p.add(ref.accountId)} AND idempotency_key = ${p.add(ref.key)} AND claim_id = ${p.add(claimId)} AND state = 'running'`,
      p.values,
    );
  }

  /** Stores the answer of the request that ran under this claim. */
  async complete(manager: EntityManager, ref: KeyRef, claimId: string, status: number, body: string): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(
      `UPDATE idempotency_keys SET state = 'done', response_status = ${p.add(status)}, response_body = ${p.add(body)}
        WHERE account_id = ${p.add(ref.accountId)} AND idempotency_key = ${p.add(ref.key)} AND claim_id = ${p.add(claimId)} AND state = 'running'`,
      p.values,
    );
  }

  /** Forgets a running key (its request failed transiently), so that a retry runs it again. */
  async release(manager: EntityManager, ref: KeyRef, claimId: string): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(
      `DELETE FROM idempotency_keys WHERE account_id = ${p.add(ref.accountId)} AND idempotency_key = ${p.add(ref.key)}
          AND claim_id = ${p.add(claimId)} AND state = 'running'`,
      p.values,
    );
  }

  /** Deletes this one key if it was created before the instant (expired but not purged yet). */
  async removeIfCreatedBefore(manager: EntityManager, ref: KeyRef, before: Date): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(
      `DELETE FROM idempotency_keys WHERE account_id = ${p.add(ref.accountId)} AND idempotency_key = ${p.add(ref.key)} AND created_at < ${p.add(this.instant(before))}`,
      p.values,
    );
  }

  /** Deletes up to `limit` keys created before the instant, oldest first; how many went. */
  async purge(manager: EntityManager, before: Date, limit: number): Promise<number> {
    const p = new Params(this.dialect);
    const result = await manager.query(
      `DELETE FROM idempotency_keys WHERE (account_id, idempotency_key) IN (
         SELECT account_id, idempotency_key FROM idempotency_keys WHERE created_at < ${p.add(this.instant(before))} ORDER BY created_at LIMIT ${p.add(limit)}) RETURNING account_id`,
      p.values,
    );
    return returned(result).length;
  }
}

/** The rows a statement with RETURNING gave back (TypeORM answers PostgreSQL's UPDATE and DELETE as [rows, count]). */
function returned(result: unknown): unknown[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0];
  return result as unknown[];
}
