import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * Change feeds per form and webhooks for departments.
 *
 * - `feed_forms`: which forms keep a feed, for which definition (a hash of the template) and which reference date
 *   their rows were last computed on.
 * - `feed_rows`: each form's rows as last logged (grid, hash of the values, hash of the masked values): what a
 *   change is compared with. A row is here while it is in the form.
 * - `feed_changes`: the log itself, one row per row that entered, changed or left a form, in commit order (`seq`,
 *   given under the audit chain's lock on PostgreSQL, by SQLite's single writer), with the grid before and after
 *   (each viewer sees its own range) and the values after (full; masked when read).
 * - `webhooks` (`cursor_seq`: delivered up to; `scan_seq`: looked at up to — entries with nothing for the account are
 *   passed over without a request, and the next batch still starts at `cursor_seq`, so each batch starts where the
 *   one before ended), `webhook_deliveries` (one open batch per webhook: the partial unique index; its content read
 *   from `content_from`), `webhook_attempts` (the delivery log).
 */
export class FeedsAndWebhooks1765800000000 implements MigrationInterface {
  name = 'FeedsAndWebhooks1765800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tables = (t: { serial: string; bigserial: string; instant: string; bool: string }) => [
      `CREATE TABLE "feed_forms" ("form_code" varchar(16) PRIMARY KEY NOT NULL, "definition_hash" varchar(64) NOT NULL,
         "reference_date" varchar(10) NOT NULL, "period_from" varchar(10) NOT NULL, "updated_at" ${t.instant} NOT NULL)`,
      `CREATE TABLE "feed_rows" ("form_code" varchar(16) NOT NULL, "row_key" bigint NOT NULL, "grid_code" varchar(32) NOT NULL,
         "hash" varchar(64) NOT NULL, "masked_hash" varchar(64) NOT NULL, PRIMARY KEY ("form_code", "row_key"))`,
      `CREATE TABLE "feed_changes" ("seq" ${t.bigserial}, "form_code" varchar(16) NOT NULL, "row_key" bigint NOT NULL,
         "grid_before" varchar(32), "grid_after" varchar(32), "full_same" ${t.bool} NOT NULL, "masked_same" ${t.bool} NOT NULL, "row_values" text, "at" ${t.instant} NOT NULL)`,
      `CREATE INDEX "IDX_feed_changes_form" ON "feed_changes" ("form_code", "seq")`,
      `CREATE TABLE "webhooks" ("id" ${t.serial}, "account_id" integer NOT NULL REFERENCES "accounts" ("id"), "form_code" varchar(16) NOT NULL,
         "org_unit_code" varchar(32) NOT NULL, "url" varchar(2000) NOT NULL, "secret" varchar(200) NOT NULL, "state" varchar(12) NOT NULL,
         "cursor_seq" bigint NOT NULL DEFAULT 0, "scan_seq" bigint NOT NULL DEFAULT 0, "batch_size" integer NOT NULL, "created_by" varchar(64) NOT NULL,
         "created_at" ${t.instant} NOT NULL, "updated_at" ${t.instant} NOT NULL)`,
      `CREATE TABLE "webhook_deliveries" ("id" ${t.serial}, "delivery_id" varchar(36) NOT NULL, "webhook_id" integer NOT NULL REFERENCES "webhooks" ("id"),
         "from_seq" bigint NOT NULL, "content_from" bigint NOT NULL, "to_seq" bigint NOT NULL, "change_count" integer NOT NULL, "state" varchar(12) NOT NULL,
         "attempts" integer NOT NULL DEFAULT 0, "next_attempt_at" ${t.instant} NOT NULL, "claimed_by" varchar(64), "claimed_until" ${t.instant},
         "last_status" integer, "last_error" varchar(500), "created_at" ${t.instant} NOT NULL, "delivered_at" ${t.instant})`,
      `CREATE UNIQUE INDEX "UQ_webhook_deliveries_delivery_id" ON "webhook_deliveries" ("delivery_id")`,
      // One open batch per webhook: batches go out in order, and two servers planning at once cannot both add one.
      `CREATE UNIQUE INDEX "UQ_webhook_deliveries_open" ON "webhook_deliveries" ("webhook_id") WHERE "state" = 'pending'`,
      `CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries" ("state", "next_attempt_at")`,
      `CREATE INDEX "IDX_webhook_deliveries_webhook" ON "webhook_deliveries" ("webhook_id", "id")`,
      `CREATE TABLE "webhook_attempts" ("id" ${t.serial}, "delivery_id" integer NOT NULL REFERENCES "webhook_deliveries" ("id"), "attempt" integer NOT NULL,
         "at" ${t.instant} NOT NULL, "status" integer, "error" varchar(500), "duration_ms" integer NOT NULL)`,
      `CREATE INDEX "IDX_webhook_attempts_delivery" ON "webhook_attempts" ("delivery_id", "attempt")`,
    ];
    await runForDatabase(queryRunner, {
      postgres: tables({ serial: 'SERIAL PRIMARY KEY', bigserial: 'BIGSERIAL PRIMARY KEY', instant: 'TIMESTAMP WITH TIME ZONE', bool: 'boolean' }),
      sqlite: tables({ serial: 'integer PRIMARY KEY AUTOINCREMENT NOT NULL', bigserial: 'integer PRIMARY KEY AUTOINCREMENT NOT NULL', instant: 'datetime', bool: 'boolean' }),
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhooks', 'feed_changes', 'feed_rows', 'feed_forms']) await queryRunner.query(`DROP TABLE "${table}"`);
  }
}
