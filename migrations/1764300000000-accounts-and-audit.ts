import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * Accounts (a role bound to an org unit) and the audit log: every change, reveal of a full value, export, import
 * and login. The log is append-only: the database itself refuses to update, delete or truncate it.
 */
export class AccountsAndAudit1764300000000 implements MigrationInterface {
  name = 'AccountsAndAudit1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDatabase(queryRunner, { postgres: POSTGRES_UP, sqlite: SQLITE_UP });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDatabase(queryRunner, {
      postgres: ['DROP TABLE "audit_log"', 'DROP FUNCTION audit_log_append_only()', 'DROP TABLE "accounts"'],
      sqlite: ['DROP TABLE "audit_log"', 'DROP TABLE "accounts"'],
    });
  }
}

const ACCOUNT_COLUMNS = (serial: string, instant: string, now: string, bool: string) =>
  `"id" ${serial}, "username" varchar(64) NOT NULL, "display_name" varchar(50) NOT NULL, "password_hash" varchar(255) NOT NULL,
   "role" varchar(20) NOT NULL, "org_unit_code" varchar(15), "department" varchar(50), "full_values" ${bool} NOT NULL,
   "active" ${bool} NOT NULL, "version" integer NOT NULL, "created_at" ${instant} NOT NULL DEFAULT ${now}, "updated_at" ${instant} NOT NULL DEFAULT ${now}`;

const AUDIT_COLUMNS = (serial: string, instant: string, now: string) =>
  `"id" ${serial}, "at" ${instant} NOT NULL DEFAULT ${now}, "account_id" integer, "username" varchar(64) NOT NULL, "role" varchar(20) NOT NULL,
   "source" varchar(10) NOT NULL, "request_id" varchar(64) NOT NULL, "action" varchar(20) NOT NULL, "entity" varchar(20),
   "record_id" integer, "changes" text, "filter" text, "row_count" integer`;

const INDEXES = [
  `CREATE UNIQUE INDEX "UQ_accounts_username" ON "accounts" ("username")`,
  `CREATE INDEX "IDX_audit_log_record" ON "audit_log" ("entity", "record_id", "id")`,
  `CREATE INDEX "IDX_audit_log_at" ON "audit_log" ("at")`,
  `CREATE INDEX "IDX_audit_log_account" ON "audit_log" ("account_id", "at")`,
];

const POSTGRES_UP = [
  `CREATE TABLE "accounts" (${ACCOUNT_COLUMNS('SERIAL PRIMARY KEY', 'TIMESTAMP WITH TIME ZONE', 'now()', 'boolean')})`,
  `CREATE TABLE "audit_log" (${AUDIT_COLUMNS('BIGSERIAL PRIMARY KEY', 'TIMESTAMP WITH TIME ZONE', 'now()')})`,
  ...INDEXES,
  `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '审计日志只能追加，不能修改或删除'; END $$`,
  `CREATE TRIGGER "audit_log_no_change" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
  `CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
];

const SQLITE_UP = [
  `CREATE TABLE "accounts" (${ACCOUNT_COLUMNS('integer PRIMARY KEY AUTOINCREMENT NOT NULL', 'datetime', "(datetime('now'))", 'boolean')})`,
  `CREATE TABLE "audit_log" (${AUDIT_COLUMNS('integer PRIMARY KEY AUTOINCREMENT NOT NULL', 'datetime', "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")})`,
  ...INDEXES,
  `CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE ON "audit_log" BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END`,
  `CREATE TRIGGER "audit_log_no_delete" BEFORE DELETE ON "audit_log" BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END`,
];
