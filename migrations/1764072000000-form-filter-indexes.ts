import type { MigrationInterface, QueryRunner } from 'typeorm';

const INDEXES = ['living_arrangement', 'marital_status', 'prone_to_wandering', 'disability_category', 'enlistment_date', 'registration_type'];

/**
 * Indexes for the department forms' row filters, each followed by the grid code (one range per community), the ID
 * number (age, sex) and the id, so that a form's page and count can be found from the index alone.
 */
export class FormFilterIndexes1764072000000 implements MigrationInterface {
  name = 'FormFilterIndexes1764072000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of INDEXES) {
      await queryRunner.query(`CREATE INDEX "IDX_residents_${column}_grid" ON "residents" ("${column}", "grid_code", "id_number", "id")`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of INDEXES) await queryRunner.query(`DROP INDEX "IDX_residents_${column}_grid"`);
  }
}
