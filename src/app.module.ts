import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { GraphQLOutputType, GraphQLSchema } from 'graphql';
import { AccessGuard } from './access/access.guard.js';
import { introspectionPlugin } from './access/introspection.plugin.js';
import { QUERY_LIMITS, queryLimitsRule } from './access/query-limits.js';
import { QuerySizeMiddleware } from './access/query-size.middleware.js';
import { type GqlContext, revealAuditPlugin } from './access/reveal-audit.plugin.js';
import { AuditService } from './audit/audit.service.js';
import { AuthMiddleware, type AppRequest } from './auth/auth.middleware.js';
import { AuthModule } from './auth/auth.module.js';
import { ReadRouting } from './database/read-routing.js';
import type { Definitions } from './common/definition/definitions.js';
import { DomainErrorFilter } from './common/errors/domain-error.filter.js';
import { formatGraphqlError } from './common/errors/graphql-error.formatter.js';
import { infrastructureStatusPlugin } from './common/errors/infrastructure-status.plugin.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigService } from './config/config.service.js';
import { foundationModules } from './foundation.js';
import { ExcelModule } from './excel/excel.module.js';
import { HealthModule } from './database/health.module.js';
import { GraphiqlModule } from './graphiql/graphiql.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { idempotencyPlugin } from './idempotency/idempotency.plugin.js';
import { IdempotencyService } from './idempotency/idempotency.service.js';
import { ImportModule } from './import/import.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { PageModule } from './page/page.module.js';
import { QualityModule } from './quality/quality.module.js';
import { ReportingModule } from './reporting/reporting.module.js';
import { VisitsDueModule } from './visits-due/visits-due.module.js';
import { WorkListModule } from './work-list/work-list.module.js';
import { BurdenModule } from './burden/burden.module.js';
import { FeedsModule } from './feeds/feeds.module.js';
import { TemplateDraftingModule } from './templates/drafting/template-drafting.module.js';
import { templateQueryFields, withQueryFields } from './views/template-schema.js';
import { ViewsModule } from './views/views.module.js';
import { ViewsService } from './views/views.service.js';
import { frozenDates } from './views/views.resolver.js';

@Module({})
export class AppModule implements NestModule {
  /** The whole app for a validated config and the definitions under `templates/`. */
  static forRoot(config: AppConfig, definitions: Definitions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...foundationModules(config, definitions),
        AuthModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [ViewsModule, IdempotencyModule],
          inject: [ViewsService, AuditService, ConfigService, IdempotencyService, ReadRouting],
          useFactory: (views: ViewsService, audit: AuditService, settings: ConfigService, idempotency: IdempotencyService, reads: ReadRouting) => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: false,
            playground: false,
            // Decided by configuration (GRAPHQL_INTROSPECTION), never by NODE_ENV, and never for anonymous requests
            // (introspectionPlugin); stack traces never leave the server.
            introspection: settings.introspection,
            includeStacktraceInErrorResponses: false,
            allowBatchedHttpRequests: false,
            csrfPrevention: true,
            validationRules: [queryLimitsRule()],
            // The text's size was checked before (QuerySizeMiddleware); the token count is checked while lexing.
            parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
            plugins: [introspectionPlugin(settings.introspection), revealAuditPlugin(audit), infrastructureStatusPlugin(), idempotencyPlugin(idempotency)],
            context: ({ req }: { req: AppRequest }): GqlContext => ({ req, viewer: req.viewer, reveals: new Map() }),
            formatError: formatGraphqlError,
            // Nest would reset every answer with data to 200; infrastructureStatusPlugin sets 503 for storage failures.
            preserveHttpStatusForExecutionErrors: false,
            // The templates' typed queries, built by pure functions and merged into the code-first schema.
            transformSchema: (schema: GraphQLSchema) =>
              withQueryFields(schema, templateQueryFields(views.list(), schema.getType('PageInfo') as GraphQLOutputType, async (context, args, select) => {
                const { viewer } = context as GqlContext;
                return frozenDates(await reads.replica(viewer, () => views.formView(viewer, args, { select }))); // a department pull: on the read replica
              }, schema.getType('FrozenReport') as GraphQLOutputType)),
          }),
        }),
        LedgerModule.forRoot(definitions.dictionary),
        ViewsModule,
        GraphiqlModule,
        ExcelModule,
        ImportModule,
        PageModule,
        HealthModule,
        ReportingModule,
        WorkListModule,
        VisitsDueModule,
        BurdenModule,
        FeedsModule,
        TemplateDraftingModule,
        QualityModule.forRoot(definitions.dictionary),
      ],
      providers: [
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes('*');
    consumer.apply(QuerySizeMiddleware).forRoutes('graphql');
  }
}
