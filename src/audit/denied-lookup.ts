import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { unwrapResolverError } from '@apollo/server/errors';
import { DuplicateError, NotFoundError } from '../common/errors/domain-errors.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from './audit.service.js';

/** What an out-of-area lookup asked for: the kind of record and its id (or the ID number, masked in the log). */
export interface DeniedLookup {
  entity: string;
  recordId?: number;
  idNumber?: string;
}

/**
 * NOT_FOUND for a record that exists outside the viewer's area. To the client it is the same answer as for a
 * missing record (code, message, no extra details); the server audits it as `denied_lookup` once the request's
 * work is over, so a transaction that rolls back cannot take the audit line with it.
 */
export class OutOfAreaError extends NotFoundError {
  constructor(message: string, readonly lookup: DeniedLookup) {
    super(message);
  }
}

/**
 * DUPLICATE for registering an ID number that is on the ledger in another area: the one answer that tells an
 * outsider a record exists (the first step of a move, README "居民跨辖区"), so it is audited as `duplicate_elsewhere`.
 */
export class DuplicateElsewhereError extends DuplicateError {
  constructor(message: string, path: (string | number)[], readonly lookup: DeniedLookup) {
    super(message, path);
  }
}

/** The actions of refusals: a security trail for administrators (`auditLog`), not part of a record's history. */
export const REFUSAL_ACTIONS = ['denied_lookup', 'duplicate_elsewhere'];

/** The audit line of one refusal about an existing record, written on its own (never inside the caller's transaction). */
export async function auditRefusal(audit: AuditService, viewer: Viewer, error: unknown): Promise<void> {
  if (!(error instanceof OutOfAreaError || error instanceof DuplicateElsewhereError)) return;
  const { entity, recordId, idNumber } = error.lookup;
  await audit.recordAccess(viewer, error instanceof OutOfAreaError ? 'denied_lookup' : 'duplicate_elsewhere', { entity, recordId, filter: idNumber ? { idNumber } : undefined });
}

/**
 * Audits every such refusal a GraphQL request ends with (a field's, a mutation's), after its resolvers ran. A Nest
 * provider marked @Plugin(): the Apollo driver adds it to the server's plugins.
 */
@Plugin()
export class DeniedLookupAuditPlugin implements ApolloServerPlugin<{ viewer?: Viewer }> {
  constructor(private readonly audit: AuditService) {}

  async requestDidStart(): Promise<GraphQLRequestListener<{ viewer?: Viewer }>> {
    const audit = this.audit;
    return {
      async didEncounterErrors({ contextValue, errors }) {
        const viewer = contextValue.viewer;
        if (!viewer) return;
        for (const e of errors) await auditRefusal(audit, viewer, unwrapResolverError(e));
      },
    };
  }
}
