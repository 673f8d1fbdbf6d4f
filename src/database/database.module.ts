import { type DynamicModule, Global, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';
import { prepareDatabase } from './owner-migrations.js';
import { ConfigService } from '../config/config.service.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { TEMPLATES } from '../templates/templates.module.js';
import type { TemplateSummary } from '../templates/template.loader.js';
import { BulkWriter } from './bulk-writer.js';
import { PreparedReads } from './prepared-reads.js';
import { ReadRouting } from './read-routing.js';
import { SqliteGate } from './sqlite-gate.js';
import { SQLITE_GATE, UnitOfWork } from './unit-of-work.js';

/**
 * The connection from ormconfig.ts. Before it opens, the migrations run and the tables are brought in line with the
 * dictionary and the templates' filters (prepareDatabase), so the app never serves a field without its column.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ConfigService, DICTIONARY, TEMPLATES],
          useFactory: async (config: ConfigService, dictionary: Dictionary, templates: TemplateSummary[]) => {
            const defs = templates.map((t) => t.def);
            // Migrations and dictionary changes (PostgreSQL: as the owner, then grants to the app's role).
            await prepareDatabase(config.values, dictionary, defs);
            return { ...dataSourceOptions(config.values, dictionary, defs), migrationsRun: true };
          },
        }),
      ],
      providers: [
        {
          // SQLite: the writer's gate and the read-only connection, installed once the migrations have run.
          provide: SQLITE_GATE,
          inject: [getDataSourceToken(), ConfigService],
          useFactory: (dataSource: DataSource, config: ConfigService) => {
            const db = config.values.database;
            return db.kind === 'sqlite' ? SqliteGate.install(dataSource, db.sqlitePath) : null;
          },
        },
        UnitOfWork,
        BulkWriter,
        // PostgreSQL with DATABASE_REPLICA_URL: department reads on the replica (see ReadRouting).
        ReadRouting,
        PreparedReads,
      ],
      exports: [SQLITE_GATE, UnitOfWork, BulkWriter, ReadRouting, PreparedReads],
    };
  }
}
