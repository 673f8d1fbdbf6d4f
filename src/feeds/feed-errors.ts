import { DomainError } from '../common/errors/domain-errors.js';

/** A change feed's cursor the server did not hand out. */
export class FeedCursorError extends DomainError {
  readonly code = 'BAD_FEED_CURSOR';
  constructor() {
    super('变更游标无效：请使用上一页 pageInfo.endCursor 或某条变更的 cursor 的值；从头同步时不传 after');
  }
}

/** Summary forms (F09) are counts computed on demand, not rows with keys: they have no change feed. */
export class FeedNotSupportedError extends DomainError {
  readonly code = 'FEED_NOT_SUPPORTED';
  constructor(code: string) {
    super(`表单 ${code} 是汇总表，没有变更流；请按参考日期用 formView 读取`);
  }
}

/** Webhook administration: a stable code per refusal. */
export class WebhookError extends DomainError {
  constructor(
    readonly code: 'WEBHOOK_HOST_NOT_ALLOWED' | 'WEBHOOK_URL_INVALID' | 'WEBHOOK_SECRET_TOO_SHORT' | 'WEBHOOK_ACCOUNT_INVALID',
    message: string,
    readonly path: (string | number)[] = [],
  ) {
    super(message);
  }
  override details() {
    return { path: this.path };
  }
}

const PREFIX = 'feed:';

/** Opaque cursors: a position in the change log (its sequence number), base64url. */
export const encodeFeedCursor = (seq: number) => Buffer.from(`${PREFIX}${seq}`).toString('base64url');

export function decodeFeedCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  const m = /^feed:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new FeedCursorError();
  return Number(m[1]);
}
