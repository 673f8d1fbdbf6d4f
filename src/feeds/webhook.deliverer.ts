import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '../config/config.service.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { decodeFeedCursor, encodeFeedCursor } from './feed-errors.js';
import { FeedRepository } from './feed.repository.js';
import { FeedService } from './feed.service.js';
import { hostAllowed, signature, WEBHOOK_HEADERS } from './webhook-signature.js';
import { type Delivery, type Webhook, WebhookRepository } from './webhook.repository.js';
import { endpointOf, WebhookService } from './webhook.service.js';

/** Redirects followed (307/308 only: they keep the method and body), each checked against the allowlist. */
const MAX_REDIRECTS = 3;

interface Outcome {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * Delivers webhook batches from the queue in the database, so that any number of server processes can run it:
 *
 * 1. plan: an active webhook without an open batch whose form has new log entries gets its next batch (the changes
 *    after its cursor, as its account would pull them, at most `batchSize` entries) — a batch is a range of the log,
 *    starting where the previous batch ended, its content recomputed identically at each attempt, never stored;
 *    entries with nothing for the account are passed over without a request;
 * 2. claim: one due batch at a time, leased (`SKIP LOCKED` on PostgreSQL);
 * 3. send: POST, signed, with the delivery id (the same on every attempt); 2xx delivers it and moves the cursor,
 *    anything else waits `retryBaseMs · 2^(attempts−1)` (at most `retryMaxMs`) and is tried again, for ever, until
 *    an administrator pauses or replays. One open batch per webhook: in order, none skipped.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  /** This process's name on the claims it takes. */
  readonly worker = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly config: ConfigService,
    private readonly repository: WebhookRepository,
    private readonly feedLog: FeedRepository,
    private readonly feed: FeedService,
    private readonly webhooks: WebhookService,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.webhooks.worker) return;
    this.timer = setInterval(() => void this.tick(), this.config.webhooks.pollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round: plan what is new, then deliver every due batch. Never two rounds at once in one process. */
  tick(): Promise<void> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve();
    this.running = this.round()
      .catch((e) => this.logger.error(`推送处理出错：${e instanceof Error ? e.message : String(e)}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<void> {
    for (const webhook of await this.repository.idle(await this.feedLog.head())) {
      if (this.stopped) return;
      await this.plan(webhook).catch((e) => this.logger.warn(`推送 ${webhook.id}（${endpointOf(webhook.url)}）无法生成批次：${e instanceof Error ? e.message : String(e)}`));
    }
    while (!this.stopped && (await this.deliverOne()));
  }

  private async plan(webhook: Webhook): Promise<void> {
    const viewer = await this.webhooks.viewerOf(webhook);
    if (!viewer) return; // the account is gone or disabled: the batch waits for it
    const page = await this.feed.changes(viewer, { code: webhook.formCode, orgUnit: webhook.orgUnitCode, after: encodeFeedCursor(webhook.scanSeq), first: webhook.batchSize });
    const to = decodeFeedCursor(page.pageInfo.endCursor);
    if (to <= webhook.scanSeq) return;
    await this.unitOfWork.run(async (manager) => {
      if (page.changes.length) await this.repository.plan(manager, webhook, randomUUID(), to, page.changes.length);
      else await this.repository.scanned(manager, webhook.id, webhook.scanSeq, to); // nothing for this account in them
    });
  }

  /** Claims one due batch and tries it once; false when none is due. */
  private async deliverOne(): Promise<boolean> {
    const { timeoutMs } = this.config.webhooks;
    const now = new Date();
    // The lease outlasts the attempt (timeout and redirects), so no other server takes the batch while it runs.
    const delivery = await this.unitOfWork.run((manager) => this.repository.claim(manager, this.worker, now, new Date(now.getTime() + timeoutMs * (MAX_REDIRECTS + 1) + 5000)));
    if (!delivery) return false;
    const started = Date.now();
    const outcome = await this.attempt(delivery).catch((e): Outcome => ({ ok: false, status: null, error: `内部错误：${e instanceof Error ? e.message : String(e)}` }));
    const at = new Date();
    await this.unitOfWork.run(async (manager) => {
      if (outcome.ok) await this.repository.delivered(manager, delivery, this.worker, outcome.status!, at);
      else await this.repository.failed(manager, delivery, this.worker, outcome.status, outcome.error ?? '失败', new Date(at.getTime() + this.backoff(delivery.attempts)));
      await this.repository.logAttempt(manager, { deliveryId: delivery.id, attempt: delivery.attempts, at, status: outcome.status, error: outcome.error, durationMs: at.getTime() - started });
    });
    return true;
  }

  /** The wait before the next attempt after `attempts` failed ones: doubling from the base, capped. */
  backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.config.webhooks;
    return Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  }

  private async attempt(delivery: Delivery): Promise<Outcome> {
    const webhook = (await this.repository.find(delivery.webhookId))!;
    const viewer = await this.webhooks.viewerOf(webhook);
    if (!viewer) return { ok: false, status: null, error: '推送所属账号已停用或删除' };
    // The batch's content, recomputed from its range of the log: the same on every attempt.
    const page = await this.feed.changes(
      viewer,
      { code: webhook.formCode, orgUnit: webhook.orgUnitCode, after: encodeFeedCursor(delivery.contentFrom), upTo: delivery.toSeq, first: webhook.batchSize },
      { audit: delivery.attempts === 1 },
    );
    const body = JSON.stringify({
      webhookId: webhook.id, deliveryId: delivery.deliveryId, code: webhook.formCode, orgUnit: webhook.orgUnitCode, referenceDate: page.referenceDate,
      from: encodeFeedCursor(delivery.fromSeq), cursor: encodeFeedCursor(delivery.toSeq), columns: page.columns, changes: page.changes,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'yibiaotong-webhook/1',
      [WEBHOOK_HEADERS.webhook]: String(webhook.id),
      [WEBHOOK_HEADERS.delivery]: delivery.deliveryId,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signature(webhook.secret, timestamp, body),
    };
    return this.post(new URL(webhook.url), headers, body);
  }

  private async post(start: URL, headers: Record<string, string>, body: string): Promise<Outcome> {
    const { allowedHosts, timeoutMs } = this.config.webhooks;
    let target = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!hostAllowed(target, allowedHosts)) return { ok: false, status: null, error: `目标主机 ${target.host} 不在允许列表中（WEBHOOK_ALLOWED_HOSTS），未发送` };
      let res: Response;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        res = await fetch(target, { method: 'POST', headers, body, redirect: 'manual', signal });
      } catch (e) {
        if (signal.aborted) return { ok: false, status: null, error: `超时（${timeoutMs} 毫秒内未应答）` };
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        return { ok: false, status: null, error: `连接失败：${cause ?? (e instanceof Error ? e.message : String(e))}` };
      }
      await res.body?.cancel().catch(() => undefined); // the answer's body is not needed
      const location = res.headers.get('location');
      if ((res.status === 307 || res.status === 308) && location) {
        target = new URL(location, target);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
      if (res.status >= 300 && res.status < 400) return { ok: false, status: res.status, error: `HTTP ${res.status}：只跟随 307/308 重定向` };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    }
    return { ok: false, status: null, error: `重定向超过 ${MAX_REDIRECTS} 次` };
  }
}
