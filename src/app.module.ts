import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Definitions } from './common/definition/definitions.js';
import { DomainErrorFilter } from './common/errors/domain-error.filter.js';
import { formatGraphqlError } from './common/errors/graphql-error.formatter.js';
import type { AppConfig } from './config/app-config.js';
import { foundationModules } from './foundation.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { ViewsModule } from './views/views.module.js';

@Module({})
export class AppModule {
  /** The whole app for a validated config and the definitions under `templates/`. */
  static forRoot(config: AppConfig, definitions: Definitions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...foundationModules(config, definitions),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: false,
          playground: false,
          introspection: true,
          includeStacktraceInErrorResponses: false,
          formatError: formatGraphqlError,
        }),
        LedgerModule.forRoot(definitions.dictionary),
        ViewsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: DomainErrorFilter }],
    };
  }
}
