import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

export type WebhookState = 'active' | 'paused';

export interface Webhook {
  id: number;
  accountId: number;
  formCode: string;
  orgUnitCode: string;
  url: string;
  /** Only the deliverer reads it (to sign); never returned, logged or audited. */
  secret: string;
  state: WebhookState;
  /** Delivered up to here (the last batch's end). */
  cursorSeq: number;
  /** Looked at up to here: entries between the two held nothing for the account. */
  scanSeq: number;
  batchSize: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryState = 'pending' | 'delivered' | 'cancelled';

export interface Delivery {
  id: number;
  deliveryId: string;
  webhookId: number;
  /** Where the batch starts for the receiver: the previous batch's end. */
  fromSeq: number;
  /** Where its changes are read from (entries before it, down to fromSeq, held nothing for the account). */
  contentFrom: number;
  toSeq: number;
  changeCount: number;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  claimedBy: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface Attempt {
  deliveryId: number;
  attempt: number;
  at: Date;
  status: number | null;
  error: string | null;
  durationMs: number;
}

const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

/**
 * All SQL on webhooks, their deliveries (the queue: one open batch per webhook) and attempts (the delivery log).
 * Instants: timestamptz on PostgreSQL, ISO text with milliseconds on SQLite (sortable as text).
 */
@Injectable()
export class WebhookRepository {
  readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  private instant(d: Date): unknown {
    return this.dialect.postgres ? d : d.toISOString();
  }

  /** Rows an UPDATE … RETURNING gave: TypeORM answers [rows, count] on PostgreSQL, the rows on SQLite. */
  private returned(result: unknown): Record<string, unknown>[] {
    return (this.dialect.postgres ? (result as unknown[])[0] : result) as Record<string, unknown>[];
  }

  private webhook(r: Record<string, unknown>): Webhook {
    return {
      id: Number(r.id), accountId: Number(r.account_id), formCode: String(r.form_code), orgUnitCode: String(r.org_unit_code), url: String(r.url),
      secret: String(r.secret), state: r.state as WebhookState, cursorSeq: Number(r.cursor_seq), scanSeq: Number(r.scan_seq), batchSize: Number(r.batch_size),
      createdBy: String(r.created_by), createdAt: date(r.created_at)!, updatedAt: date(r.updated_at)!,
    };
  }

  private delivery(r: Record<string, unknown>): Delivery {
    return {
      id: Number(r.id), deliveryId: String(r.delivery_id), webhookId: Number(r.webhook_id), fromSeq: Number(r.from_seq), contentFrom: Number(r.content_from), toSeq: Number(r.to_seq),
      changeCount: Number(r.change_count), state: r.state as DeliveryState, attempts: Number(r.attempts), nextAttemptAt: date(r.next_attempt_at)!,
      claimedBy: (r.claimed_by as string | null) ?? null, lastStatus: r.last_status === null || r.last_status === undefined ? null : Number(r.last_status),
      lastError: (r.last_error as string | null) ?? null, createdAt: date(r.created_at)!, deliveredAt: date(r.delivered_at),
    };
  }

  async insert(manager: EntityManager, w: Omit<Webhook, 'id' | 'cursorSeq' | 'scanSeq' | 'createdAt' | 'updatedAt' | 'state'>): Promise<number> {
    const p = new Params(this.dialect);
    const now = this.instant(new Date());
    const [row] = await manager.query(
      `INSERT INTO webhooks (account_id, form_code, org_unit_code, url, secret, state, cursor_seq, batch_size, created_by, created_at, updated_at)
       VALUES (${[w.accountId, w.formCode, w.orgUnitCode, w.url, w.secret, 'active', 0, w.batchSize, w.createdBy, now, now].map((v) => p.add(v)).join(', ')}) RETURNING id`,
      p.values,
    );
    return Number(row.id);
  }

  async find(id: number, manager: EntityManager = this.dataSource.manager): Promise<Webhook | null> {
    const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM webhooks WHERE id = ${this.dialect.param(1)}`, [id]);
    return rows[0] ? this.webhook(rows[0]) : null;
  }

  async list(): Promise<Webhook[]> {
    return ((await this.dataSource.query('SELECT * FROM webhooks ORDER BY id')) as Record<string, unknown>[]).map((r) => this.webhook(r));
  }

  /** Active webhooks without an open batch that have not looked at the log's end yet: batches to plan. */
  async idle(head: number): Promise<Webhook[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT w.* FROM webhooks w WHERE w.state = 'active' AND w.scan_seq < ${this.dialect.param(1)}
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending') ORDER BY w.id`,
      [head],
    );
    return rows.map((r) => this.webhook(r));
  }

  async setState(manager: EntityManager, id: number, state: WebhookState): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(`UPDATE webhooks SET state = ${p.add(state)}, updated_at = ${p.add(this.instant(new Date()))} WHERE id = ${p.add(id)}`, p.values);
  }

  /** Moves a webhook's cursor (replay), the open batch cancelled: the next batch starts there. */
  async rewind(manager: EntityManager, id: number, seq: number): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(`UPDATE webhook_deliveries SET state = 'cancelled', claimed_by = NULL, claimed_until = NULL WHERE webhook_id = ${p.add(id)} AND state = 'pending'`, p.values);
    const q = new Params(this.dialect);
    await manager.query(`UPDATE webhooks SET cursor_seq = ${q.add(seq)}, scan_seq = ${q.add(seq)}, updated_at = ${q.add(this.instant(new Date()))} WHERE id = ${q.add(id)}`, q.values);
  }

  /** Passes over entries that hold nothing for this webhook's account, if no one moved on meanwhile. */
  async scanned(manager: EntityManager, id: number, from: number, to: number): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(`UPDATE webhooks SET scan_seq = ${p.add(to)} WHERE id = ${p.add(id)} AND scan_seq = ${p.add(from)}`, p.values);
  }

  /**
   * Adds the next batch (from the webhook's cursor) unless the cursor moved or a batch is open: the webhook's row
   * is locked first (PostgreSQL; SQLite's writer is alone), and the partial unique index backs it up.
   */
  async plan(manager: EntityManager, webhook: Pick<Webhook, 'id' | 'cursorSeq' | 'scanSeq'>, deliveryId: string, to: number, count: number): Promise<boolean> {
    const webhookId = webhook.id;
    const p = new Params(this.dialect);
    const lock = this.dialect.postgres ? ' FOR UPDATE' : '';
    const [w] = await manager.query(`SELECT cursor_seq, scan_seq, state FROM webhooks WHERE id = ${p.add(webhookId)}${lock}`, p.values);
    if (!w || Number(w.cursor_seq) !== webhook.cursorSeq || Number(w.scan_seq) !== webhook.scanSeq || w.state !== 'active') return false;
    const open = await manager.query(`SELECT 1 FROM webhook_deliveries WHERE webhook_id = ${this.dialect.param(1)} AND state = 'pending'`, [webhookId]);
    if (open.length) return false;
    const q = new Params(this.dialect);
    const now = this.instant(new Date());
    await manager.query(
      `INSERT INTO webhook_deliveries (delivery_id, webhook_id, from_seq, content_from, to_seq, change_count, state, attempts, next_attempt_at, created_at)
       VALUES (${[deliveryId, webhookId, webhook.cursorSeq, webhook.scanSeq, to, count, 'pending', 0, now, now].map((v) => q.add(v)).join(', ')})`,
      q.values,
    );
    return true;
  }

  /**
   * Claims the next due batch of an active webhook for one attempt (a lease until `until`): `SKIP LOCKED` on
   * PostgreSQL, so servers claiming at once take different batches; SQLite's one writer claims alone.
   */
  async claim(manager: EntityManager, worker: string, now: Date, until: Date): Promise<Delivery | null> {
    const p = new Params(this.dialect);
    const [by, leased] = [p.add(worker), p.add(this.instant(until))];
    const [due, free] = [p.add(this.instant(now)), p.add(this.instant(now))];
    const result = await manager.query(
      `UPDATE webhook_deliveries SET claimed_by = ${by}, claimed_until = ${leased}, attempts = attempts + 1
        WHERE id = (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                     WHERE d.state = 'pending' AND w.state = 'active' AND d.next_attempt_at <= ${due}
                       AND (d.claimed_until IS NULL OR d.claimed_until < ${free})
                     ORDER BY d.next_attempt_at, d.id LIMIT 1 ${this.dialect.skipLocked('d')})
        RETURNING *`,
      p.values,
    );
    const [row] = this.returned(result);
    return row ? this.delivery(row) : null;
  }

  /** The attempt succeeded: the batch is delivered and the webhook's cursor moves past it (if the claim still holds). */
  async delivered(manager: EntityManager, d: Delivery, worker: string, status: number, at: Date): Promise<boolean> {
    const p = new Params(this.dialect);
    const result = await manager.query(
      `UPDATE webhook_deliveries SET state = 'delivered', delivered_at = ${p.add(this.instant(at))}, last_status = ${p.add(status)}, last_error = NULL,
         claimed_by = NULL, claimed_until = NULL WHERE id = ${p.add(d.id)} AND claimed_by = ${p.add(worker)} AND state = 'pending' RETURNING id`,
      p.values,
    );
    if (!this.returned(result).length) return false;
    const q = new Params(this.dialect);
    await manager.query(`UPDATE webhooks SET cursor_seq = ${q.add(d.toSeq)}, scan_seq = ${q.add(d.toSeq)} WHERE id = ${q.add(d.webhookId)} AND cursor_seq = ${q.add(d.fromSeq)}`, q.values);
    return true;
  }

  /** The attempt failed: the batch waits until `next` and is free to claim again. */
  async failed(manager: EntityManager, d: Delivery, worker: string, status: number | null, error: string, next: Date): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(
      `UPDATE webhook_deliveries SET next_attempt_at = ${p.add(this.instant(next))}, last_status = ${p.add(status)}, last_error = ${p.add(error.slice(0, 500))},
         claimed_by = NULL, claimed_until = NULL WHERE id = ${p.add(d.id)} AND claimed_by = ${p.add(worker)}`,
      p.values,
    );
  }

  async logAttempt(manager: EntityManager, a: Attempt): Promise<void> {
    const p = new Params(this.dialect);
    await manager.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, duration_ms) VALUES (${[a.deliveryId, a.attempt, this.instant(a.at), a.status, a.error?.slice(0, 500) ?? null, a.durationMs].map((v) => p.add(v)).join(', ')})`,
      p.values,
    );
  }

  async deliveries(webhookId: number, limit: number): Promise<Delivery[]> {
    const p = new Params(this.dialect);
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM webhook_deliveries WHERE webhook_id = ${p.add(webhookId)} ORDER BY id DESC LIMIT ${Number(limit)}`, p.values);
    return rows.map((r) => this.delivery(r));
  }

  async attempts(deliveryIds: number[]): Promise<Attempt[]> {
    if (!deliveryIds.length) return [];
    const p = new Params(this.dialect);
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM webhook_attempts WHERE delivery_id IN (${deliveryIds.map((id) => p.add(id)).join(', ')}) ORDER BY delivery_id, attempt`, p.values);
    return rows.map((r) => ({ deliveryId: Number(r.delivery_id), attempt: Number(r.attempt), at: date(r.at)!, status: r.status === null ? null : Number(r.status), error: (r.error as string | null) ?? null, durationMs: Number(r.duration_ms) }));
  }
}
