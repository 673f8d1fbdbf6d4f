import { Module } from '@nestjs/common';
import { FeedLogModule } from '../../feeds/feed-log.module.js';
import { QualityCheckModule } from '../../quality/quality-check.module.js';
import { ReferenceChecker } from '../reference-checker.js';
import { ResidentRepository } from '../resident.repository.js';
import { RecordCommands } from './record.commands.js';
import { ResidentCommands } from './resident.commands.js';
import { ResidentStatusCommands } from './resident-status.commands.js';

const PROVIDERS = [ResidentRepository, ReferenceChecker, ResidentCommands, ResidentStatusCommands, RecordCommands];

/** The one write path to the ledger, for every module that changes it (the ledger's API, imports). */
@Module({ imports: [QualityCheckModule, FeedLogModule], providers: PROVIDERS, exports: [...PROVIDERS, QualityCheckModule] })
export class LedgerCommandsModule {}
