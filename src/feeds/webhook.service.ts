import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy } from '../access/access-policy.js';
import { pageSize } from '../access/page-size.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { AccountRepository } from '../auth/account.repository.js';
import { AuthService } from '../auth/auth.service.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { ConfigService } from '../config/config.service.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import type { TemplateSummary } from '../templates/template.loader.js';
import { TEMPLATES } from '../templates/templates.module.js';
import type { TemplateDef } from '../templates/template.types.js';
import { ChangeLog } from './change-log.js';
import { decodeFeedCursor, encodeFeedCursor, FeedNotSupportedError, WebhookError } from './feed-errors.js';
import { hostAllowed } from './webhook-signature.js';
import { type Attempt, type Delivery, type Webhook, WebhookRepository } from './webhook.repository.js';

export interface WebhookInput {
  account: string;
  code: string;
  orgUnit?: string | null;
  url: string;
  secret: string;
  batchSize?: number | null;
}

/** A webhook as administrators see it: never its secret. */
export interface WebhookView {
  id: number;
  account: string;
  code: string;
  orgUnit: string;
  url: string;
  state: string;
  cursor: string;
  batchSize: number;
  createdBy: string;
  createdAt: string;
}

export interface DeliveryView {
  id: number;
  deliveryId: string;
  state: string;
  fromCursor: string;
  toCursor: string;
  changeCount: number;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attemptLog: { attempt: number; at: string; status: number | null; error: string | null; durationMs: number }[];
}

/** The part of an endpoint that may be written down (audit lines, logs): scheme, host and path, no query or credentials. */
export const endpointOf = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(无效地址)';
  }
};

/**
 * Webhooks to departments, administered here: one per (department account, form, org unit, endpoint). The account
 * decides what is sent (its forms, its area, masked unless it sees full values), as if it pulled formChanges itself.
 * Secrets are stored to sign with and never leave: not in answers, audit lines or logs.
 */
@Injectable()
export class WebhookService {
  private readonly templates: Map<string, TemplateDef>;

  constructor(
    @Inject(TEMPLATES) templates: TemplateSummary[],
    private readonly repository: WebhookRepository,
    private readonly accounts: AccountRepository,
    private readonly auth: AuthService,
    private readonly policy: AccessPolicy,
    private readonly log: ChangeLog,
    private readonly audit: AuditService,
    private readonly unitOfWork: UnitOfWork,
    private readonly config: ConfigService,
  ) {
    this.templates = new Map(templates.map((t) => [t.code, t.def]));
  }

  /** The viewer a webhook's changes are computed for: its account as it is now (null if gone or disabled). */
  async viewerOf(webhook: Pick<Webhook, 'accountId' | 'id'>): Promise<Viewer | null> {
    const account = await this.accounts.findById(webhook.accountId);
    return account?.active ? this.auth.toViewer(account, `webhook-${webhook.id}`, 'api') : null;
  }

  async create(viewer: Viewer, input: WebhookInput): Promise<WebhookView> {
    const account = await this.accounts.findByUsername(input.account);
    if (!account?.active) throw new WebhookError('WEBHOOK_ACCOUNT_INVALID', `没有名为 "${input.account}" 的启用账号`, ['input', 'account']);
    const target = await this.auth.toViewer(account, viewer.requestId, viewer.source);
    // What the account could pull itself: its form (NOT_FOUND otherwise), a unit in its area, a form with a feed.
    const def = this.policy.template(target, this.templates.get(input.code), input.code);
    if (!this.log.has(def.code)) throw new FeedNotSupportedError(def.code);
    const unit = await this.policy.unit(target, input.orgUnit || account.orgUnitCode || '');
    const url = this.checkUrl(input.url);
    if (typeof input.secret !== 'string' || input.secret.length < 16 || input.secret.length > 200) {
      throw new WebhookError('WEBHOOK_SECRET_TOO_SHORT', '签名密钥须为 16 到 200 个字符（建议 32 个以上的随机字符）', ['input', 'secret']);
    }
    const batchSize = pageSize(input.batchSize, 100, ['input', 'batchSize']);
    // The form's feed starts now if nobody read it yet: the first batch is then every row as it stands.
    await this.log.ensureCurrent(def.code);
    const id = await this.unitOfWork.run(async (manager) => {
      const id = await this.repository.insert(manager, { accountId: account.id, formCode: def.code, orgUnitCode: unit.code, url: url.toString(), secret: input.secret, batchSize, createdBy: viewer.username });
      await this.audit.recordAccess(viewer, 'webhook_create', { entity: 'webhook', recordId: id, filter: { account: account.username, code: def.code, orgUnit: unit.code, endpoint: endpointOf(url.toString()), batchSize } }, manager);
      return id;
    });
    return this.view((await this.repository.find(id))!);
  }

  async pause(viewer: Viewer, id: number): Promise<WebhookView> {
    return this.change(viewer, id, 'webhook_pause', (manager) => this.repository.setState(manager, id, 'paused'));
  }

  async resume(viewer: Viewer, id: number): Promise<WebhookView> {
    return this.change(viewer, id, 'webhook_resume', (manager) => this.repository.setState(manager, id, 'active'));
  }

  /** Sends again from a cursor (null: from the start, every row as entered): the open batch is dropped. */
  async replay(viewer: Viewer, id: number, from: string | null | undefined): Promise<WebhookView> {
    const seq = decodeFeedCursor(from);
    return this.change(viewer, id, 'webhook_replay', (manager) => this.repository.rewind(manager, id, seq), { from: from ?? null });
  }

  async list(): Promise<WebhookView[]> {
    return Promise.all((await this.repository.list()).map((w) => this.view(w)));
  }

  /** The delivery log of a webhook, newest first, each batch with its attempts. */
  async deliveries(id: number, first?: number | null): Promise<DeliveryView[]> {
    await this.found(id);
    const deliveries = await this.repository.deliveries(id, pageSize(first, 50));
    const attempts = await this.repository.attempts(deliveries.map((d) => d.id));
    return deliveries.map((d) => this.deliveryView(d, attempts.filter((a) => a.deliveryId === d.id)));
  }

  /** An endpoint on the allowlist: http(s), no credentials in it (they would end up in logs), a host the administrator named. */
  checkUrl(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new WebhookError('WEBHOOK_URL_INVALID', '推送地址无效：须为 http:// 或 https:// 开头的完整地址', ['input', 'url']);
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password) {
      throw new WebhookError('WEBHOOK_URL_INVALID', '推送地址须为 http:// 或 https:// 开头，且不含用户名和密码', ['input', 'url']);
    }
    if (!hostAllowed(url, this.config.webhooks.allowedHosts)) {
      throw new WebhookError('WEBHOOK_HOST_NOT_ALLOWED', `推送目标主机 ${url.host} 不在管理员允许的列表中（WEBHOOK_ALLOWED_HOSTS）`, ['input', 'url']);
    }
    return url;
  }

  private async change(viewer: Viewer, id: number, action: string, work: Parameters<UnitOfWork['run']>[0], filter: Record<string, unknown> = {}): Promise<WebhookView> {
    await this.found(id);
    await this.unitOfWork.run(async (manager) => {
      await work(manager);
      await this.audit.recordAccess(viewer, action, { entity: 'webhook', recordId: id, filter }, manager);
    });
    return this.view((await this.repository.find(id))!);
  }

  private async found(id: number): Promise<Webhook> {
    const webhook = await this.repository.find(id);
    if (!webhook) throw new NotFoundError(`没有编号为 ${id} 的推送`);
    return webhook;
  }

  private async view(w: Webhook): Promise<WebhookView> {
    const account = await this.accounts.findById(w.accountId);
    return {
      id: w.id, account: account?.username ?? '', code: w.formCode, orgUnit: w.orgUnitCode, url: w.url, state: w.state,
      cursor: encodeFeedCursor(w.cursorSeq), batchSize: w.batchSize, createdBy: w.createdBy, createdAt: w.createdAt.toISOString(),
    };
  }

  private deliveryView(d: Delivery, attempts: Attempt[]): DeliveryView {
    return {
      id: d.id, deliveryId: d.deliveryId, state: d.state, fromCursor: encodeFeedCursor(d.fromSeq), toCursor: encodeFeedCursor(d.toSeq),
      changeCount: d.changeCount, attempts: d.attempts, nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt.toISOString() : null,
      lastStatus: d.lastStatus, lastError: d.lastError, createdAt: d.createdAt.toISOString(), deliveredAt: d.deliveredAt?.toISOString() ?? null,
      attemptLog: attempts.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status: a.status, error: a.error, durationMs: a.durationMs })),
    };
  }
}
