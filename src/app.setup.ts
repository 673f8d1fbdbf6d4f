import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from './config/app-config.js';

/**
 * What the HTTP server needs beyond the modules, shared by the server, the tests and the benchmarks: request
 * size limits (uploads have their own), the client address behind one proxy for the rate limits.
 */
export function configureHttp(app: NestExpressApplication, config: AppConfig): void {
  app.useBodyParser('json', { limit: config.limits.bodyBytes });
  app.useBodyParser('urlencoded', { limit: config.limits.bodyBytes, extended: false });
  app.set('trust proxy', config.trustProxy); // TRUST_PROXY, loopback by default: see README (配置)
  // No ETag on answers: every one is a POST or changes with the ledger, and hashing a 500-row page costs a page's
  // formatting time. (The page's static files carry their own, from the file server.)
  app.set('etag', false);
  app.disable('x-powered-by');
}
