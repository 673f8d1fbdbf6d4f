import type { DynamicModule, Type } from '@nestjs/common';
import type { Definitions } from './common/definition/definitions.js';
import type { AppConfig } from './config/app-config.js';
import { AccessModule } from './access/access.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DictionaryModule } from './dictionary/dictionary.module.js';
import { QualityRulesModule } from './quality/quality-rules.module.js';
import { SeedModule } from './seed/seed.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { VisitScheduleModule } from './visits-due/visit-schedule.module.js';

/** What the server and the command-line tools share: config, definitions, the database (migrated) and seeding. */
export function foundationModules(config: AppConfig, definitions: Definitions): (DynamicModule | Type)[] {
  return [
    ConfigModule.forRoot(config),
    DictionaryModule.forRoot(definitions.dictionary),
    TemplatesModule.forRoot(definitions.templates),
    VisitScheduleModule.forRoot(definitions.visits),
    QualityRulesModule.forRoot(definitions.rules),
    DatabaseModule.forRoot(),
    AuditModule,
    AccessModule,
    AuthModule,
    SeedModule,
  ];
}
