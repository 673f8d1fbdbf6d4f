import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { GraphQLOutputType, GraphQLSchema } from 'graphql';
import type { Definitions } from './common/definition/definitions.js';
import { DomainErrorFilter } from './common/errors/domain-error.filter.js';
import { formatGraphqlError } from './common/errors/graphql-error.formatter.js';
import type { AppConfig } from './config/app-config.js';
import { foundationModules } from './foundation.js';
import { ExcelModule } from './excel/excel.module.js';
import { GraphiqlModule } from './graphiql/graphiql.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { templateQueryFields, withQueryFields } from './views/template-schema.js';
import { ViewsModule } from './views/views.module.js';
import { ViewsService } from './views/views.service.js';

@Module({})
export class AppModule {
  /** The whole app for a validated config and the definitions under `templates/`. */
  static forRoot(config: AppConfig, definitions: Definitions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...foundationModules(config, definitions),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [ViewsModule],
          inject: [ViewsService],
          useFactory: (views: ViewsService) => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: false,
            playground: false,
            introspection: true,
            includeStacktraceInErrorResponses: false,
            formatError: formatGraphqlError,
            // The templates' typed queries, built by pure functions and merged into the code-first schema.
            transformSchema: (schema: GraphQLSchema) =>
              withQueryFields(schema, templateQueryFields(views.list(), schema.getType('PageInfo') as GraphQLOutputType, (_context, args) => views.formView({}, args))),
          }),
        }),
        LedgerModule.forRoot(definitions.dictionary),
        ViewsModule,
        GraphiqlModule,
        ExcelModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: DomainErrorFilter }],
    };
  }
}
