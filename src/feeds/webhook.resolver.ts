import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { WebhookService } from './webhook.service.js';
import { WebhookDeliveryType, WebhookInputType, WebhookType } from './webhook.types.js';

/** Webhooks are an administrator's: they send a department's data to an address outside. */
@Resolver()
export class WebhookResolver {
  constructor(private readonly service: WebhookService) {}

  @Needs('accounts:manage')
  @Query(() => [WebhookType], { description: '全部推送（管理员）' })
  webhooks() {
    return this.service.list();
  }

  @Needs('accounts:manage')
  @Query(() => [WebhookDeliveryType], { description: '一个推送的投递记录，最新的在前，含每次尝试（管理员）' })
  webhookDeliveries(@Args('webhookId', { type: () => Int }) webhookId: number, @Args('first', { type: () => Int, nullable: true, description: '默认 50，最多 500' }) first?: number | null) {
    return this.service.deliveries(webhookId, first);
  }

  @Needs('accounts:manage')
  @Mutation(() => WebhookType, { description: '登记推送：从头开始（先推送全部现有行）' })
  createWebhook(@CurrentViewer() viewer: Viewer, @Args('input', { type: () => WebhookInputType }) input: WebhookInputType) {
    return this.service.create(viewer, input);
  }

  @Needs('accounts:manage')
  @Mutation(() => WebhookType, { description: '暂停推送（未送达的批次保留，恢复后继续）' })
  pauseWebhook(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number) {
    return this.service.pause(viewer, id);
  }

  @Needs('accounts:manage')
  @Mutation(() => WebhookType, { description: '恢复推送' })
  resumeWebhook(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number) {
    return this.service.resume(viewer, id);
  }

  @Needs('accounts:manage')
  @Mutation(() => WebhookType, { description: '从某个变更游标起重新推送（不传 from：从头开始）；未送达的批次取消，新批次有新的投递编号' })
  replayWebhook(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number, @Args('from', { type: () => String, nullable: true }) from?: string | null) {
    return this.service.replay(viewer, id, from);
  }
}
