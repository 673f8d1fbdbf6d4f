import type { MigrationInterface, QueryRunner } from 'typeorm';

const indexes = (grid: string, household: string) => [
  'DROP INDEX "IDX_residents_grid"',
  `CREATE INDEX "IDX_residents_grid" ON "residents" (${grid})`,
  'DROP INDEX "IDX_residents_household"',
  `CREATE INDEX "IDX_residents_household" ON "residents" (${household})`,
];

/**
 * Summary forms (F09) count from indexes alone: residents per grid with their ID number (the age conditions read the
 * birth date in it), a household's residents with their deregistration date (a household counts while one of them is
 * registered), and a grid's households by id. The columns are added at the end, so every use of the old indexes
 * still finds them.
 */
export class SummaryCountIndexes1766000000000 implements MigrationInterface {
  name = 'SummaryCountIndexes1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of indexes('"grid_code", "deregistered_on", "id_number"', '"household_id", "deregistered_on"')) await queryRunner.query(statement);
    await queryRunner.query('CREATE INDEX "IDX_households_grid" ON "households" ("grid_code", "id")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_households_grid"');
    for (const statement of indexes('"grid_code", "deregistered_on"', '"household_id"')) await queryRunner.query(statement);
  }
}
