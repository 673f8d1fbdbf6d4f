import { Module } from '@nestjs/common';
import { ChangeLog } from './change-log.js';
import { FeedRepository } from './feed.repository.js';

/** The change log the ledger commands write (in their transactions) and the feeds read. */
@Module({ providers: [ChangeLog, FeedRepository], exports: [ChangeLog, FeedRepository] })
export class FeedLogModule {}
