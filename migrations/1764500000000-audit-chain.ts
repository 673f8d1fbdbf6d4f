import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_CHAIN_LOCK, CHAINED_COLUMNS, chainHash, type ChainedRow, GENESIS_HASH } from '../src/audit/audit-chain.js';
import { runForDatabase } from './migration-helpers.js';

const REFUSED = '审计日志只能在链尾追加：编号须递增，并带上一条的哈希';

/**
 * The audit log's hash chain (src/audit/audit-chain.ts): `prev_hash` and `hash` on every row, the rows already
 * there sealed here in id order, and an insert trigger that accepts only the next link of the chain. On SQLite that
 * trigger also refuses REPLACE and UPSERT of an existing row (REPLACE deletes without firing DELETE triggers).
 */
export class AuditChain1764500000000 implements MigrationInterface {
  name = 'AuditChain1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await runForDatabase(queryRunner, {
      postgres: [
        'ALTER TABLE "audit_log" ADD COLUMN "prev_hash" varchar(64), ADD COLUMN "hash" varchar(64)',
        'ALTER TABLE "audit_log" DISABLE TRIGGER "audit_log_no_change"',
      ],
      // The owner runs this: the update trigger steps aside while the existing rows are sealed.
      sqlite: ['ALTER TABLE "audit_log" ADD COLUMN "prev_hash" varchar(64)', 'ALTER TABLE "audit_log" ADD COLUMN "hash" varchar(64)', 'DROP TRIGGER "audit_log_no_update"'],
    });
    await sealExistingRows(queryRunner, postgres);
    await runForDatabase(queryRunner, {
      postgres: [
        'ALTER TABLE "audit_log" ENABLE TRIGGER "audit_log_no_change"',
        'ALTER TABLE "audit_log" ALTER COLUMN "prev_hash" SET NOT NULL, ALTER COLUMN "hash" SET NOT NULL',
        // The lock makes concurrent appends (other transactions, other server processes) wait their turn; a writer
        // that read the chain's end without it fails here instead of forking the chain.
        `CREATE FUNCTION audit_log_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE last_id bigint; last_hash text;
         BEGIN
           PERFORM pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK});
           SELECT id, hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
           IF NEW.id <= coalesce(last_id, 0) OR NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '${GENESIS_HASH}')
              OR NEW.hash IS NULL OR NEW.hash !~ '^[0-9a-f]{64}$' THEN
             RAISE EXCEPTION '${REFUSED}';
           END IF;
           RETURN NEW;
         END $$`,
        'CREATE TRIGGER "audit_log_chain" BEFORE INSERT ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_chain_link()',
      ],
      sqlite: [
        `CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE ON "audit_log" BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END`,
        // An id not given explicitly reads as -1 here: the app always gives the next one.
        `CREATE TRIGGER "audit_log_chain" BEFORE INSERT ON "audit_log"
         WHEN NEW.id IS NULL OR NEW.id <= coalesce((SELECT max(id) FROM audit_log), 0)
           OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '${GENESIS_HASH}')
           OR NEW.hash IS NULL OR length(NEW.hash) != 64 OR NEW.hash GLOB '*[^0-9a-f]*'
         BEGIN SELECT RAISE(ABORT, '${REFUSED}'); END`,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDatabase(queryRunner, {
      postgres: ['DROP TRIGGER "audit_log_chain" ON "audit_log"', 'DROP FUNCTION audit_log_chain_link()', 'ALTER TABLE "audit_log" DROP COLUMN "prev_hash", DROP COLUMN "hash"'],
      sqlite: ['DROP TRIGGER "audit_log_chain"', 'ALTER TABLE "audit_log" DROP COLUMN "prev_hash"', 'ALTER TABLE "audit_log" DROP COLUMN "hash"'],
    });
  }
}

/** Chains the rows written before this migration, 500 at a time in id order. */
async function sealExistingRows(queryRunner: QueryRunner, postgres: boolean): Promise<void> {
  let prev = GENESIS_HASH;
  let lastId = 0;
  for (;;) {
    const rows: ChainedRow[] = await queryRunner.query(
      `SELECT ${CHAINED_COLUMNS.join(', ')} FROM audit_log WHERE id > ${postgres ? '$1' : '?'} ORDER BY id LIMIT 500`,
      [lastId],
    );
    if (rows.length === 0) return;
    const values: unknown[] = [];
    for (const row of rows) {
      const hash = chainHash(prev, row);
      values.push(Number(row.id), prev, hash);
      prev = hash;
    }
    lastId = Number(rows[rows.length - 1].id);
    if (postgres) {
      const tuples = rows.map((_, i) => `($${i * 3 + 1}::bigint, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
      await queryRunner.query(`UPDATE audit_log AS a SET prev_hash = v.p, hash = v.h FROM (VALUES ${tuples}) AS v(id, p, h) WHERE a.id = v.id`, values);
    } else {
      const tuples = rows.map(() => '(?, ?, ?)').join(', ');
      await queryRunner.query(
        `UPDATE audit_log SET prev_hash = v.column2, hash = v.column3 FROM (VALUES ${tuples}) AS v WHERE audit_log.id = v.column1`,
        values,
      );
    }
  }
}
