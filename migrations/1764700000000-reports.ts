import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * The reporting cycle (一表流转): one row per (form, org unit, period) once it is first submitted, with its state
 * and who did what when, and the frozen rows as one compressed snapshot with its SHA-256 (not a row per cell).
 */
export class Reports1764700000000 implements MigrationInterface {
  name = 'Reports1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const columns = (serial: string, blob: string, instant: string, now: string) =>
      `"id" ${serial}, "form_code" varchar(16) NOT NULL, "org_unit_code" varchar(15) NOT NULL, "period" varchar(8) NOT NULL,
       "status" varchar(12) NOT NULL, "submitted_by_id" integer, "submitted_by" varchar(100), "submitted_at" ${instant},
       "first_submitted_at" ${instant}, "reviewed_by_id" integer, "reviewed_by" varchar(100), "reviewed_at" ${instant},
       "return_reason" varchar(500), "row_count" integer NOT NULL DEFAULT 0, "sha256" varchar(64), "snapshot" ${blob},
       "snapshot_bytes" integer NOT NULL DEFAULT 0, "version" integer NOT NULL DEFAULT 1,
       "created_at" ${instant} NOT NULL DEFAULT ${now}, "updated_at" ${instant} NOT NULL DEFAULT ${now}`;
    await runForDatabase(queryRunner, {
      postgres: [`CREATE TABLE "reports" (${columns('SERIAL PRIMARY KEY', 'bytea', 'TIMESTAMP WITH TIME ZONE', 'now()')})`, ...INDEXES],
      sqlite: [`CREATE TABLE "reports" (${columns('integer PRIMARY KEY AUTOINCREMENT NOT NULL', 'blob', 'datetime', "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")})`, ...INDEXES],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "reports"');
  }
}

const INDEXES = [
  `CREATE UNIQUE INDEX "UQ_reports_key" ON "reports" ("form_code", "org_unit_code", "period")`,
  `CREATE INDEX "IDX_reports_period" ON "reports" ("period", "org_unit_code")`,
];
