import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditService } from '../audit/audit.service.js';
import type { Viewer } from './viewer.js';

/** What every GraphQL resolver can reach: the request, its viewer, and the full values revealed so far. */
export interface GqlContext {
  req: { viewer?: Viewer; requestId: string };
  viewer?: Viewer;
  /** Field key → how many full values of it this request returned (masked fields count nothing). */
  reveals: Map<string, number>;
}

/**
 * One audit line per GraphQL request that returned full ID or phone numbers through the ledger's fields: who,
 * which fields, the operation and its variables (masked in the log), how many values. Views audit their own.
 */
export function revealAuditPlugin(audit: AuditService): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, request, operationName }) {
          const viewer = contextValue.viewer;
          if (!viewer || contextValue.reveals.size === 0) return;
          const fields = Object.fromEntries(contextValue.reveals);
          const rowCount = [...contextValue.reveals.values()].reduce((a, b) => a + b, 0);
          await audit.recordAccess(viewer, 'reveal', { filter: { operation: operationName ?? null, variables: request.variables ?? null, fields }, rowCount });
        },
      };
    },
  };
}
