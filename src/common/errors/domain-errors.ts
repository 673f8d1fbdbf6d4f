/**
 * Errors a client can act on. Each has a stable code (GraphQL `extensions.code`) and a Chinese message;
 * `GraphqlErrorFormatter` is the one place that turns them into GraphQL errors.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** Extra, client-safe details merged into `extensions`. */
  details(): Record<string, unknown> {
    return {};
  }
}

/** One bad input field: where it is, a stable code, a Chinese message. */
export interface FieldError {
  path: (string | number)[];
  code: string;
  message: string;
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly fieldErrors: FieldError[]) {
    super(`输入有 ${fieldErrors.length} 处错误：${fieldErrors.map((e) => e.message).join('；')}`);
  }
  override details() {
    return { fieldErrors: this.fieldErrors };
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  constructor(
    readonly what: string,
    readonly currentVersion: number,
    readonly expectedVersion: number,
    readonly current?: Record<string, unknown>,
  ) {
    super(`${what}已被他人修改（当前版本 ${currentVersion}，您提交的版本 ${expectedVersion}），请刷新后核对再保存`);
  }

  /** The same conflict with the current values as this viewer may see them. */
  withCurrent(current: Record<string, unknown>): ConflictError {
    return new ConflictError(this.what, this.currentVersion, this.expectedVersion, current);
  }
  override details() {
    return { currentVersion: this.currentVersion, expectedVersion: this.expectedVersion, current: this.current };
  }
}

export class DuplicateError extends DomainError {
  readonly code = 'DUPLICATE';
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
  override details() {
    return { path: this.path };
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(message: string) {
    super(message);
  }
}

/** No valid login: the request carries no token, or one that is expired, revoked or forged. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = '请先登录（请求头 Authorization: Bearer <令牌>）') {
    super(message);
  }
}

/** Logged in, but the role may not do this (a read-only department sending a mutation, say). */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(message = '您的角色无权执行此操作') {
    super(message);
  }
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
  override details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}
