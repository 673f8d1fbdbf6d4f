import { Module } from '@nestjs/common';
import { FeedLogModule } from './feed-log.module.js';
import { FeedResolver } from './feed.resolver.js';
import { FeedService } from './feed.service.js';

/** Change feeds per form (formChanges) and webhooks that push them to departments. */
@Module({ imports: [FeedLogModule], providers: [FeedService, FeedResolver], exports: [FeedService] })
export class FeedsModule {}
