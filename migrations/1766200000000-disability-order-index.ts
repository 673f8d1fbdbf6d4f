import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * F05 (残疾人) in its own order: 残疾类别, 残疾等级, the ID number, the id, then the grid and the day the resident left.
 * A page's ids are read from it alone, entered at the cursor, instead of finding and sorting every disabled resident
 * of the scope for each page (the rows themselves then by id: PostgreSQL misjudges how many rows a row-value cursor
 * leaves, so F05 is not read rows and all as F07 is). NULLs sort first on both databases (sql-dialect.ts
 * orderTerm): NULLS FIRST on PostgreSQL, as SQLite does by default.
 */
export class DisabilityOrderIndex1766200000000 implements MigrationInterface {
  name = 'DisabilityOrderIndex1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const index = (nullsFirst: string) =>
      `CREATE INDEX "IDX_residents_disability_order" ON "residents" ("disability_category"${nullsFirst}, "disability_grade"${nullsFirst}, "id_number", "id", "grid_code", "deregistered_on")`;
    await runForDatabase(queryRunner, { postgres: [index(' NULLS FIRST')], sqlite: [index('')] });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_residents_disability_order"');
  }
}
