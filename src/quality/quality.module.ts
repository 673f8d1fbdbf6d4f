import { type DynamicModule, Module } from '@nestjs/common';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { LedgerCommandsModule } from '../ledger/commands/ledger-commands.module.js';
import { buildLedgerTypes } from '../ledger/graphql/ledger-types.factory.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { QualityReportService } from './quality-report.service.js';
import { createQualityResolver } from './quality.resolver.js';

/** Data-quality rules (templates/rules.yaml): the per-community report. The checks themselves run in the write path. */
@Module({})
export class QualityModule {
  static forRoot(dictionary: Dictionary): DynamicModule {
    return {
      module: QualityModule,
      imports: [LedgerCommandsModule],
      providers: [QualityReportService, OrgUnitRepository, createQualityResolver(buildLedgerTypes(dictionary))],
    };
  }
}
