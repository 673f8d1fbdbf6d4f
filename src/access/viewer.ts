import type { OrgUnit } from '../ledger/org-unit.repository.js';
import type { Role } from './roles.js';

/** Where a change or a read came from, for the audit log. */
export type Source = 'form' | 'api' | 'import' | 'system';

/** Who is asking: the account behind a request (or the server itself, for command-line tools). */
export interface Viewer {
  accountId: number | null;
  username: string;
  displayName: string;
  role: Role;
  /** The org unit the account is bound to; null for administrators. */
  orgUnitCode: string | null;
  /** Code prefix of everything the viewer may reach: '' for administrators, 15 digits for a grid. */
  scope: string;
  /** A department account's department (its templates are those that name it). */
  department: string | null;
  /** Sees full ID and phone numbers (each reveal is audited); otherwise they are masked. */
  fullValues: boolean;
  requestId: string;
  source: Source;
  /** The account's org unit as read with the account for this request (AccessPolicy.unit need not read it again). */
  ownUnit?: OrgUnit | null;
}

/** The server itself: command-line exports and imports run by whoever can already read the database. */
export function systemViewer(requestId = 'cli', source: Source = 'system'): Viewer {
  return { accountId: null, username: 'system', displayName: '系统', role: 'admin', orgUnitCode: null, scope: '', department: null, fullValues: true, requestId, source };
}
