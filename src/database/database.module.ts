import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source-options.js';
import { ConfigService } from '../config/config.service.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { BulkWriter } from './bulk-writer.js';
import { UnitOfWork } from './unit-of-work.js';

/** The connection from ormconfig.ts; migrations run before the app serves anything. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ConfigService, DICTIONARY],
          useFactory: (config: ConfigService, dictionary: Dictionary) => ({
            ...dataSourceOptions(config.values, dictionary),
            migrationsRun: true,
          }),
        }),
      ],
      providers: [UnitOfWork, BulkWriter],
      exports: [UnitOfWork, BulkWriter],
    };
  }
}
