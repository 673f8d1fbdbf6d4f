import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * State that several server processes behind a load balancer must share:
 *
 * - `request_counts`: the per-account (or per-address) request limit, one row per key: the start of its current
 *   one-minute window and the requests counted in it. One upsert per request decides, so two servers count
 *   the same requests once (the sum, not each its own share).
 * - `replica_marks`: per account, a counter bumped in the same transaction as each change the account makes.
 *   The primary's value and a read replica's value differ until the replica has replayed that transaction:
 *   reads that must see the account's own writes go to the primary until then (read your writes).
 */
export class SharedServerState1765900000000 implements MigrationInterface {
  name = 'SharedServerState1765900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const counts = (instant: string) =>
      `CREATE TABLE "request_counts" ("key" varchar(100) PRIMARY KEY NOT NULL, "window_start" ${instant} NOT NULL, "hits" integer NOT NULL)`;
    const marks = `CREATE TABLE "replica_marks" ("account_id" integer PRIMARY KEY NOT NULL, "n" bigint NOT NULL)`;
    await runForDatabase(queryRunner, {
      postgres: [counts('TIMESTAMP WITH TIME ZONE'), INDEX, marks],
      sqlite: [counts('datetime'), INDEX, marks],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "replica_marks"');
    await queryRunner.query('DROP TABLE "request_counts"');
  }
}

// The purge deletes windows that ended long ago, oldest first.
const INDEX = `CREATE INDEX "IDX_request_counts_window_start" ON "request_counts" ("window_start")`;
