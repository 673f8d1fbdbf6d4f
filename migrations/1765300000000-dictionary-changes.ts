import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * The record of what the start-up changed in the ledger's tables to follow templates/ (src/database/dictionary-schema.ts):
 * one row per column or index added (or an empty column retyped or dropped), with the field, where, the type, when and
 * which start did it. Written in the same transaction as the DDL, so a row exists exactly when its change does.
 */
export class DictionaryChanges1765300000000 implements MigrationInterface {
  name = 'DictionaryChanges1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = (id: string, instant: string) =>
      `CREATE TABLE "dictionary_changes" (${id}, "change" varchar(20) NOT NULL, "field" varchar(100) NOT NULL, "table_name" varchar(63) NOT NULL, ` +
      `"label" varchar(100), "column_name" varchar(63) NOT NULL, "column_type" varchar(40), "index_name" varchar(63), "detail" varchar(500), ` +
      `"applied_at" ${instant} NOT NULL, "start_id" varchar(36) NOT NULL, "started_by" varchar(200) NOT NULL)`;
    await runForDatabase(queryRunner, {
      postgres: [table('"id" SERIAL PRIMARY KEY', 'TIMESTAMP WITH TIME ZONE')],
      sqlite: [table('"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL', 'datetime')],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "dictionary_changes"');
  }
}
