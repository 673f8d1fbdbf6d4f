import { Module } from '@nestjs/common';
import { AccountRepository } from '../auth/account.repository.js';
import { AuthModule } from '../auth/auth.module.js';
import { FeedLogModule } from './feed-log.module.js';
import { FeedResolver } from './feed.resolver.js';
import { FeedService } from './feed.service.js';
import { WebhookDeliverer } from './webhook.deliverer.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhookResolver } from './webhook.resolver.js';
import { WebhookService } from './webhook.service.js';

/** Change feeds per form (formChanges) and webhooks that push them to departments. */
@Module({
  imports: [FeedLogModule, AuthModule],
  providers: [FeedService, FeedResolver, AccountRepository, WebhookRepository, WebhookService, WebhookDeliverer, WebhookResolver],
  exports: [FeedService, WebhookService, WebhookDeliverer],
})
export class FeedsModule {}
