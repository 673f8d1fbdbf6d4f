import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../common/errors/domain-errors.js';
import { sendDomainError } from '../common/errors/domain-error.filter.js';
import { QUERY_LIMITS } from './query-limits.js';

/** The query text is longer than QUERY_LIMITS.maxBytes (or has more tokens than maxTokens: see the formatter). */
export class QueryTooLargeError extends DomainError {
  readonly code = 'QUERY_TOO_LARGE';
  constructor(message: string) {
    super(message);
  }
}

/**
 * Refuses a GraphQL query text over QUERY_LIMITS.maxBytes before Apollo hashes, lexes or parses it: the JSON body
 * limit (MAX_REQUEST_KB) is for mutations' inputs in variables, not for query text, which no client needs this long.
 */
@Injectable()
export class QuerySizeMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const body: unknown = req.body;
    const query = req.method === 'POST' ? (body as { query?: unknown } | undefined)?.query : req.query?.query;
    if (typeof query === 'string') {
      const bytes = Buffer.byteLength(query, 'utf8');
      if (bytes > QUERY_LIMITS.maxBytes) {
        const kb = Math.ceil(bytes / 1024);
        return sendDomainError(req, res, new QueryTooLargeError(`查询文本 ${kb} KB，超过上限 ${QUERY_LIMITS.maxBytes / 1024} KB（请用变量传递数据，勿在查询中附带大段注释）`));
      }
    }
    next();
  }
}
