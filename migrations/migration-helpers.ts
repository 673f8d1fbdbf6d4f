import { type QueryRunner } from 'typeorm';

/** Runs the statements written for the connected database's dialect. */
export async function runForDatabase(queryRunner: QueryRunner, sql: { postgres: string[]; sqlite: string[] }): Promise<void> {
  const type = queryRunner.connection.options.type;
  const statements = type === 'postgres' ? sql.postgres : type === 'better-sqlite3' ? sql.sqlite : null;
  if (!statements) throw new Error(`不支持的数据库类型：${type}`);
  for (const statement of statements) await queryRunner.query(statement);
}
