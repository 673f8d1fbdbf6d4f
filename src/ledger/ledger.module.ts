import { type DynamicModule, Module } from '@nestjs/common';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { buildLedgerTypes } from './graphql/ledger-types.factory.js';
import { createLedgerResolvers } from './graphql/ledger.resolvers.js';
import { LedgerCommandsModule } from './commands/ledger-commands.module.js';
import { LedgerRecordsService } from './ledger-records.service.js';
import { OneFormService } from './one-form.service.js';
import { OrgUnitRepository } from './org-unit.repository.js';
import { OrgUnitService } from './org-unit.service.js';
import { ResidentService } from './resident.service.js';
import { LedgerLoaders } from './ledger-loaders.js';
import { RecordMasker } from '../access/record-masker.js';

const SERVICES = [OrgUnitRepository, OrgUnitService, ResidentService, LedgerRecordsService, OneFormService, RecordMasker, LedgerLoaders];

/** The canonical community ledger and its entry API. */
@Module({})
export class LedgerModule {
  static forRoot(dictionary: Dictionary): DynamicModule {
    return {
      module: LedgerModule,
      imports: [LedgerCommandsModule],
      providers: [...SERVICES, ...createLedgerResolvers(buildLedgerTypes(dictionary))],
      exports: [...SERVICES, LedgerCommandsModule],
    };
  }
}
