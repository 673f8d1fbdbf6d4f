import { codePrefix } from '../ledger/org-codes.js';
import type { OrgLevel } from '../ledger/org-unit.repository.js';
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
}

/** The server itself: command-line exports and imports run by whoever can already read the database. */
export function systemViewer(requestId = 'cli', source: Source = 'system'): Viewer {
  return { accountId: null, username: 'system', displayName: '系统', role: 'admin', orgUnitCode: null, scope: '', department: null, fullValues: true, requestId, source };
}

/** Whether an org unit code (or a grid code) lies within the viewer's reach. */
export function inScope(viewer: Viewer, code: string | null | undefined): boolean {
  return typeof code === 'string' && code.startsWith(viewer.scope);
}

/** Whether the unit is one of the viewer's own unit's ancestors (for navigating down to it). */
export function isAncestorOfScope(viewer: Viewer, unitCode: string, level: OrgLevel): boolean {
  return viewer.scope.startsWith(codePrefix(unitCode, level));
}

/** Which department forms a viewer may see: a department only the templates naming it. */
export function templateAllowed(viewer: Viewer, templateDepartment: string): boolean {
  if (viewer.role !== 'department') return true;
  return templateDepartment.split(/[、,，/]/).map((d) => d.trim()).includes(viewer.department ?? '');
}
