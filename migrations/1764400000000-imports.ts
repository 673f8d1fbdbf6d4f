import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * Imports of the ledgers communities kept in Excel: the uploaded file itself (so that a commit applies exactly what
 * was previewed, and errors come back in the user's own workbook), its SHA-256, and the previewed outcome.
 */
export class Imports1764400000000 implements MigrationInterface {
  name = 'Imports1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const columns = (serial: string, blob: string, instant: string, now: string) =>
      `"id" ${serial}, "sha256" varchar(64) NOT NULL, "form_code" varchar(16) NOT NULL, "org_unit_code" varchar(15) NOT NULL,
       "file_name" varchar(255) NOT NULL, "file" ${blob} NOT NULL, "account_id" integer, "username" varchar(64) NOT NULL,
       "status" varchar(12) NOT NULL, "summary" text NOT NULL, "outcome" ${blob} NOT NULL, "committed_rows" integer,
       "created_at" ${instant} NOT NULL DEFAULT ${now}, "committed_at" ${instant}`;
    await runForDatabase(queryRunner, {
      postgres: [`CREATE TABLE "imports" (${columns('SERIAL PRIMARY KEY', 'bytea', 'TIMESTAMP WITH TIME ZONE', 'now()')})`, INDEX],
      sqlite: [`CREATE TABLE "imports" (${columns('integer PRIMARY KEY AUTOINCREMENT NOT NULL', 'blob', 'datetime', "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")})`, INDEX],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "imports"');
  }
}

const INDEX = `CREATE INDEX "IDX_imports_file" ON "imports" ("org_unit_code", "form_code", "sha256")`;
