import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * Login throttling shared by every server process: failed logins (only failures: a correct login must never count
 * against an office behind one NAT address) per user name and client address, and user names locked after many
 * failures from many addresses until the lock runs out or an administrator lifts it. Failures older than the
 * window are deleted by the app.
 */
export class LoginThrottle1764800000000 implements MigrationInterface {
  name = 'LoginThrottle1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const failures = (id: string, instant: string) =>
      `CREATE TABLE "login_failures" (${id}, "username" varchar(64) NOT NULL, "address" varchar(64) NOT NULL, "failed_at" ${instant} NOT NULL)`;
    const locks = (instant: string) =>
      `CREATE TABLE "login_locks" ("username" varchar(64) PRIMARY KEY NOT NULL, "locked_until" ${instant} NOT NULL, "locked_at" ${instant} NOT NULL)`;
    await runForDatabase(queryRunner, {
      postgres: [failures('"id" SERIAL PRIMARY KEY', 'TIMESTAMP WITH TIME ZONE'), ...INDEXES, locks('TIMESTAMP WITH TIME ZONE')],
      sqlite: [failures('"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL', 'datetime'), ...INDEXES, locks('datetime')],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "login_locks"');
    await queryRunner.query('DROP TABLE "login_failures"');
  }
}

// A login reads one user name's recent failures (per address and in all); the purge reads the oldest first.
const INDEXES = [
  `CREATE INDEX "IDX_login_failures_username" ON "login_failures" ("username", "failed_at")`,
  `CREATE INDEX "IDX_login_failures_failed_at" ON "login_failures" ("failed_at")`,
];
