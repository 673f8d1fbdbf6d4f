import { createHash } from 'node:crypto';
import { type ApolloServerPlugin, type GraphQLRequest, type GraphQLResponse, HeaderMap } from '@apollo/server';
import type { GqlContext } from '../access/reveal-audit.plugin.js';
import { HTTP_STATUS } from '../common/errors/domain-error.filter.js';
import { DomainError } from '../common/errors/domain-errors.js';
import { formatGraphqlError } from '../common/errors/graphql-error.formatter.js';
import { IDEMPOTENCY_KEY_PATTERN, IdempotencyKeyInvalidError } from '../common/errors/idempotency-errors.js';
import type { Claim, IdempotencyService, StoredResponse } from './idempotency.service.js';

/** Error codes meaning "try again later": the same request may succeed, so its answer is not kept. */
const TRANSIENT = new Set(['DATABASE_UNAVAILABLE', 'DATABASE_BUSY', 'STORAGE_FULL', 'STORAGE_ERROR', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);

/**
 * The Idempotency-Key header on GraphQL mutations of a logged-in account (anonymous ones such as login, and queries,
 * ignore it). An Apollo plugin rather than an Express middleware: it runs once the operation is known to be a
 * mutation and the viewer is in the context, replays through Apollo's own `responseForOperation` short-circuit
 * (no monkey-patching of `res.end`), and sees the answer as a result object with its error codes.
 *
 * The answer is stored in `willSendResponse`, which Apollo awaits before writing it: a client never sees an answer
 * whose key still says "running", unless storing failed (then the lease runs out and a retry runs again).
 */
export function idempotencyPlugin(idempotency: IdempotencyService): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      let claim: Claim | undefined;
      return {
        async responseForOperation({ request, operation, contextValue }) {
          const key = request.http?.headers.get('idempotency-key');
          const accountId = contextValue.viewer?.accountId;
          if (key === undefined || operation?.operation !== 'mutation' || accountId === null || accountId === undefined) return null;
          try {
            if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw new IdempotencyKeyInvalidError();
            const outcome = await idempotency.begin({ accountId, key }, requestHash(request));
            if ('replay' in outcome) return replayed(outcome.replay);
            claim = outcome.run;
            return null;
          } catch (e) {
            if (e instanceof DomainError) return refused(e);
            throw e;
          }
        },
        async willSendResponse({ response }) {
          if (!claim) return;
          const mine = claim;
          claim = undefined;
          await idempotency.finish(mine, storable(response));
        },
      };
    },
  };
}

/** SHA-256 of what makes two requests the same: the operation's text, its name and its variables (keys sorted). */
export function requestHash(request: Pick<GraphQLRequest, 'query' | 'operationName' | 'variables'>): string {
  return createHash('sha256')
    .update(canonicalJson([request.query ?? '', request.operationName ?? null, request.variables ?? {}]))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The answer to keep, or null when the request failed in a way a retry may not (storage down, overload, a bug):
 * then the key is forgotten and the retry runs. Once any root field has data the change happened, so the answer is
 * kept even if a nested field failed — running it again would repeat the change.
 */
function storable(response: GraphQLResponse): StoredResponse | null {
  if (response.body.kind !== 'single') return null;
  const status = response.http.status ?? 200;
  const result = response.body.singleResult;
  const transient = status >= 500 || (result.errors ?? []).some((e) => TRANSIENT.has(String(e.extensions?.code)) || typeof e.extensions?.retryAfterSeconds === 'number');
  const changed = Object.values(result.data ?? {}).some((v) => v !== null && v !== undefined);
  return transient && !changed ? null : { status, body: JSON.stringify(result) };
}

function replayed(stored: StoredResponse): GraphQLResponse {
  return {
    http: { status: stored.status, headers: new HeaderMap([['idempotent-replayed', 'true']]) },
    body: { kind: 'single', singleResult: JSON.parse(stored.body) },
  };
}

function refused(error: DomainError): GraphQLResponse {
  const headers = new HeaderMap();
  const retryAfter = error.details().retryAfterSeconds;
  if (typeof retryAfter === 'number') headers.set('retry-after', String(retryAfter));
  return {
    http: { status: HTTP_STATUS[error.code] ?? 400, headers },
    body: { kind: 'single', singleResult: { errors: [formatGraphqlError({ message: error.message }, error)] } },
  };
}
