import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * F07 (流动人口) in its own order: the filter (registration_type), then the form's sort (registered_on, the ID number,
 * the id), then the grid and the day the resident left. A department pulling a whole district page by page enters
 * the index at its cursor and reads one page, instead of sorting every row of the district for each page.
 * NULL registration dates sort first on both databases (sql-dialect.ts orderTerm): NULLS FIRST on PostgreSQL, as
 * SQLite does by default.
 */
export class FormOrderIndex1765700000000 implements MigrationInterface {
  name = 'FormOrderIndex1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const index = (nullsFirst: string) =>
      `CREATE INDEX "IDX_residents_registration_type_order" ON "residents" ("registration_type", "registered_on"${nullsFirst}, "id_number", "id", "grid_code", "deregistered_on")`;
    await runForDatabase(queryRunner, { postgres: [index(' NULLS FIRST')], sqlite: [index('')] });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_residents_registration_type_order"');
  }
}
