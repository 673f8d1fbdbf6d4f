import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { infrastructureError } from '../../database/database-errors.js';
import { DomainError, RateLimitedError } from './domain-errors.js';
import { InfrastructureError } from './infrastructure-errors.js';

export const HTTP_STATUS: Record<string, number> = {
  NOT_FOUND: 404, VALIDATION_FAILED: 400, CONFLICT: 409, DUPLICATE: 409, UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429,
  ALREADY_SUBMITTED: 409, REPORT_LOCKED: 409, REPORT_NOT_SUBMITTED: 409, REPORT_NOT_APPROVED: 409, COMMUNITY_REPORTS_NOT_APPROVED: 409,
  PERIOD_NOT_STARTED: 400, PERIOD_NOT_ENDED: 400, WRONG_ORG_LEVEL: 400,
  DATABASE_UNAVAILABLE: 503, STORAGE_FULL: 503, STORAGE_ERROR: 503, DATABASE_BUSY: 503,
  IDEMPOTENCY_KEY_INVALID: 400, IDEMPOTENCY_KEY_REUSED: 422, IDEMPOTENCY_KEY_IN_PROGRESS: 409,
};

/** A thrown error as the client may see it: itself if it is a domain error, its storage meaning if it has one. */
export function clientError(error: unknown): DomainError | null {
  return error instanceof DomainError ? error : infrastructureError(error);
}

/** Writes a domain error as an HTTP answer: status, Retry-After where it applies, the code, the Chinese message. */
export function sendDomainError(req: Request, res: Response, error: DomainError): void {
  const status = HTTP_STATUS[error.code] ?? 400;
  if (error instanceof RateLimitedError || error instanceof InfrastructureError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  const requestId = (req as Request & { requestId?: string }).requestId;
  const body = { code: error.code, message: error.message, ...error.details(), ...(error instanceof InfrastructureError && requestId ? { requestId } : {}) };
  if (req.originalUrl.split('?')[0].startsWith('/graphql')) res.status(status).json({ errors: [{ message: error.message, extensions: { ...body, message: undefined } }] });
  else res.status(status).json(body);
}

const logger = new Logger('HTTP');

/**
 * The one place HTTP endpoints (exports, imports, the page's files) turn errors into answers: domain errors with
 * their status and code; storage failures as 503 with Retry-After; Nest's own HTTP exceptions as Nest answers
 * them; anything else logged and answered 500 with an error id (never a stack or SQL). GraphQL gets its errors
 * back for `formatGraphqlError`. Nest does not log domain errors (their details can hold personal data).
 */
@Catch()
export class DomainErrorFilter extends BaseExceptionFilter implements GqlExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return error;
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (error instanceof HttpException) return super.catch(error, host);
    if (res.headersSent) return void res.destroy(error instanceof Error ? error : undefined);
    // The handler may have readied a download (an export's type and file name): the error answer replaces it.
    for (const header of ['Content-Type', 'Content-Disposition', 'Content-Length']) res.removeHeader(header);
    const domain = clientError(error);
    if (domain) return sendDomainError(req, res, domain);
    const errorId = randomUUID();
    logger.error(`请求 ${errorId} 出现未处理的错误：${error instanceof Error ? error.stack : String(error)}`);
    res.status(500).json({ code: 'INTERNAL_SERVER_ERROR', message: `服务器内部错误，请联系管理员（错误编号 ${errorId}）`, requestId: errorId });
  }
}
