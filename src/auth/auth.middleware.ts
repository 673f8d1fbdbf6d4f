import { randomUUID } from 'node:crypto';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Source, Viewer } from '../access/viewer.js';
import { RateLimitedError } from '../common/errors/domain-errors.js';
import { clientError, sendDomainError } from '../common/errors/domain-error.filter.js';
import { RequestAccount } from '../database/read-routing.js';
import { AuthService } from './auth.service.js';
import { RequestLimiter } from './request-limiter.js';

export type AppRequest = Request & { viewer?: Viewer; requestId: string; source: Source };

/** Paths whose requests count against the per-account rate limit (the API, not the page's static files). */
const LIMITED = /^\/(graphql|exports|imports|reporting)(\/|$)/;

/**
 * First stop of every request: a request id (echoed as X-Request-Id), the viewer behind the bearer token (or a
 * download ticket), and the per-account rate limit (RequestLimiter: in the database on PostgreSQL, so several
 * servers count together). A bad token is refused here; no token leaves the request anonymous for the guard to
 * decide. The rest of the request runs with its account known to the read routing (RequestAccount).
 */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  constructor(
    private readonly auth: AuthService,
    private readonly limiter: RequestLimiter,
  ) {}

  async use(req: AppRequest, res: Response, next: NextFunction): Promise<void> {
    const given = req.headers['x-request-id'];
    req.requestId = typeof given === 'string' && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    req.source = req.headers['x-ybt-source'] === 'form' ? 'form' : 'api';
    try {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const ticket = req.method === 'GET' && typeof req.query?.ticket === 'string' ? req.query.ticket : undefined;
      const limited = LIMITED.test(pathOf(req));
      let wait = 0;
      if (bearer || ticket) {
        // A genuine token names its account: the request is counted for it while the account is read (on
        // PostgreSQL, two round trips at once instead of one after the other).
        const claims = bearer ? await this.auth.claimsOf(bearer) : await this.auth.claimsOf(ticket!, withoutTicket(req.originalUrl));
        [req.viewer, wait] = await Promise.all([this.auth.viewerOf(claims, req.requestId, req.source), limited ? this.limiter.take(`account:${claims.sub}`) : 0]);
      } else if (limited) wait = await this.limiter.take(`address:${req.ip}`);
      if (wait > 0) throw new RateLimitedError(`请求过于频繁，请 ${wait} 秒后再试`, wait);
      const accountId = req.viewer?.accountId;
      if (accountId) RequestAccount.run(accountId, next);
      else next();
    } catch (e) {
      // Domain errors and storage failures (a lost database while reading the account: 503) are answered here.
      const refusal = clientError(e);
      if (!refusal) return next(e);
      sendDomainError(req, res, refusal);
    }
  }
}

/** The request's path from the root (req.path is relative to where the middleware is mounted). */
const pathOf = (req: Request) => req.originalUrl.split('?')[0];

/** The URL a download ticket was issued for: path and query without the ticket itself. */
export function withoutTicket(url: string): string {
  const [path, query = ''] = url.split('?');
  const params = new URLSearchParams(query);
  params.delete('ticket');
  const rest = params.toString();
  return rest ? `${path}?${rest}` : path;
}
