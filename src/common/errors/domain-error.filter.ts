import { type ArgumentsHost, Catch } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import type { Response } from 'express';
import { DomainError } from './domain-errors.js';

export const HTTP_STATUS: Record<string, number> = { NOT_FOUND: 404, VALIDATION_FAILED: 400, CONFLICT: 409, DUPLICATE: 409, UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

/**
 * Domain errors are answers, not failures: GraphQL gets them back for the error formatter, HTTP endpoints (exports)
 * answer with a status, the code and the Chinese message. Nest does not log them (their details can hold personal data).
 */
@Catch(DomainError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(error: DomainError, host: ArgumentsHost): DomainError | void {
    if (host.getType() !== 'http') return error;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return void res.destroy(error);
    res.status(HTTP_STATUS[error.code] ?? 400).json({ code: error.code, message: error.message, ...error.details() });
  }
}
