import { DomainError } from './domain-errors.js';

/** Allowed shape of an Idempotency-Key header: 8–128 characters of letters, digits and `_ . : -` (a UUID fits). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The Idempotency-Key header is there but malformed (HTTP 400): nothing was done. */
export class IdempotencyKeyInvalidError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_INVALID';
  constructor() {
    super('请求头 Idempotency-Key 格式不正确：应为 8–128 个字母、数字或 _ . : - 字符（如 UUID）；本次操作未执行');
  }
}

/**
 * The key was used before by this account for a different request (HTTP 422): a client bug (a key reused for a
 * new save), so nothing is done and the first request's answer is not shown.
 */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('此 Idempotency-Key 已用于另一项不同的操作；每次新的保存请使用新的键，重试时才沿用原来的键。本次操作未执行');
  }
}

/** The first request with this key is still running (HTTP 409 with Retry-After): retry with the same key later. */
export class IdempotencyKeyInProgressError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_IN_PROGRESS';
  constructor(readonly retryAfterSeconds: number) {
    super(`使用同一 Idempotency-Key 的上一次请求仍在处理中，请 ${retryAfterSeconds} 秒后用同一个键重试`);
  }
  override details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}
