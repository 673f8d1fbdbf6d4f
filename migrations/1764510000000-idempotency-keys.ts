import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * Idempotency keys: a client's retry of a write (same account, same key, same request) gets the first answer
 * instead of a second effect. The primary key decides which of two simultaneous requests runs, across processes.
 * A row is `running` while its request executes (its `lease_until` kept fresh by the owner) and `done` with the
 * stored answer afterwards; rows older than a day are deleted by the app.
 */
export class IdempotencyKeys1764510000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const columns = (instant: string, now: string) =>
      `"account_id" integer NOT NULL, "idempotency_key" varchar(128) NOT NULL, "request_hash" varchar(64) NOT NULL,
       "claim_id" varchar(36) NOT NULL, "state" varchar(8) NOT NULL CHECK ("state" IN ('running', 'done')),
       "response_status" integer, "response_body" text, "lease_until" ${instant} NOT NULL,
       "created_at" ${instant} NOT NULL DEFAULT ${now}, PRIMARY KEY ("account_id", "idempotency_key")`;
    await runForDatabase(queryRunner, {
      postgres: [`CREATE TABLE "idempotency_keys" (${columns('TIMESTAMP WITH TIME ZONE', 'now()')})`, INDEX],
      sqlite: [`CREATE TABLE "idempotency_keys" (${columns('datetime', "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")})`, INDEX],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "idempotency_keys"');
  }
}

// The purge of expired keys reads the oldest first.
const INDEX = `CREATE INDEX "IDX_idempotency_keys_created_at" ON "idempotency_keys" ("created_at")`;
