import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/** The department forms' row filters (migration 1764072000000), each index now ending in deregistered_on. */
const FILTERS = ['living_arrangement', 'marital_status', 'prone_to_wandering', 'disability_category', 'enlistment_date', 'registration_type'];
const COLUMNS = { deregistered_on: ['date', 'date'], deregistration_reason: ['character varying(8)', 'varchar(8)'], deregistration_destination: ['character varying(200)', 'varchar(200)'], deregistration_note: ['character varying(500)', 'varchar(500)'] };

/** Every index over a resident filter, with or without the deregistration date at its end. */
function indexes(withStatus: boolean): string[] {
  const tail = withStatus ? ', "deregistered_on"' : '';
  return [
    ...[...FILTERS.map((c) => `IDX_residents_${c}_grid`), 'IDX_residents_grid'].map((name) => `DROP INDEX "${name}"`),
    ...FILTERS.map((c) => `CREATE INDEX "IDX_residents_${c}_grid" ON "residents" ("${c}", "grid_code", "id_number", "id"${tail})`),
    `CREATE INDEX "IDX_residents_grid" ON "residents" ("grid_code"${tail})`,
  ];
}

/**
 * Residents who leave (注销): the day they left, why (迁出, 死亡, 其他), where to and a note. A resident stays in views
 * whose reference date is before that day; the indexes that find a form's rows carry the date, so a page and a count
 * are still read from the index alone.
 */
export class ResidentStatus1764600000000 implements MigrationInterface {
  name = 'ResidentStatus1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const add = (postgres: boolean) => Object.entries(COLUMNS).map(([c, [pg, sqlite]]) => `ALTER TABLE "residents" ADD ${postgres ? '' : 'COLUMN '}"${c}" ${postgres ? pg : sqlite}`);
    await runForDatabase(queryRunner, { postgres: [...add(true), ...indexes(true)], sqlite: [...add(false), ...indexes(true)] });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const drop = Object.keys(COLUMNS).map((c) => `ALTER TABLE "residents" DROP COLUMN "${c}"`);
    await runForDatabase(queryRunner, { postgres: [...indexes(false), ...drop], sqlite: [...indexes(false), ...drop] });
  }
}
