import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns, as [PostgreSQL type, SQLite type]. */
const COLUMNS: Record<string, [string, string]> = {
  family_doctor_signed: ['boolean', 'boolean'],
  family_doctor_name: ['character varying(50)', 'varchar(50)'],
};

/**
 * 是否签约家庭医生 and 签约医生 (the 社区卫生服务中心's V02 form): two resident fields of templates/dictionary.yaml.
 * Each column is added only when it is missing, so a database whose schema the start-up already reconciled with the
 * dictionary runs this migration as a no-op.
 */
export class FamilyDoctor1765400000000 implements MigrationInterface {
  name = 'FamilyDoctor1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const [column, [pg, sqlite]] of Object.entries(COLUMNS)) {
      if (await queryRunner.hasColumn('residents', column)) continue;
      await queryRunner.query(`ALTER TABLE "residents" ADD ${postgres ? '' : 'COLUMN '}"${column}" ${postgres ? pg : sqlite}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of Object.keys(COLUMNS)) {
      if (await queryRunner.hasColumn('residents', column)) await queryRunner.query(`ALTER TABLE "residents" DROP COLUMN "${column}"`);
    }
  }
}
