import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The data-quality rule PHONE_IN_OTHER_HOUSEHOLD (templates/rules.yaml) looks for the same phone on a resident of
 * another household in the community, on every save and in the community's report: an index from the phone to the
 * grid, household and status answers it without reading the table.
 */
export class ResidentPhoneIndex1764900000000 implements MigrationInterface {
  name = 'ResidentPhoneIndex1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX "IDX_residents_phone" ON "residents" ("phone", "grid_code", "household_id", "deregistered_on")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_residents_phone"');
  }
}
