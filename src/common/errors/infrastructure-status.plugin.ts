import type { ApolloServerPlugin } from '@apollo/server';
import { HTTP_STATUS } from './domain-error.filter.js';

/**
 * GraphQL answers 200 even for errors; a storage failure must not: when an answer carries DATABASE_UNAVAILABLE,
 * STORAGE_FULL and the like, it goes out as HTTP 503 with Retry-After and the request id in each such error, so
 * clients and load balancers retry instead of taking it as an answer.
 */
export function infrastructureStatusPlugin(): ApolloServerPlugin<{ req: { requestId: string } }> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          const failed = errors.filter((e) => HTTP_STATUS[String(e.extensions?.code)] === 503);
          if (!failed.length) return;
          response.http.status = 503;
          const wait = Math.max(...failed.map((e) => Number(e.extensions?.retryAfterSeconds) || 5));
          response.http.headers.set('retry-after', String(wait));
          for (const e of failed) Object.assign(e.extensions ?? {}, { requestId: contextValue.req.requestId });
        },
      };
    },
  };
}
