/** Roles, each bound to an org unit (administrators to none), and what each may do. Pure. */
export const ROLES = ['grid_worker', 'community_staff', 'street_office', 'department', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  grid_worker: '网格员',
  community_staff: '社区工作者',
  street_office: '街道办事处',
  department: '部门',
  admin: '管理员',
};

/** The org level each role is bound to (department: the district or street it serves). */
export const ROLE_LEVELS: Record<Role, readonly string[]> = {
  grid_worker: ['grid'],
  community_staff: ['community'],
  street_office: ['street'],
  department: ['district', 'street'],
  admin: [],
};

export type Permission =
  | 'ledger:read' // residents, households, visits, businesses, staff, their history
  | 'ledger:write' // the one form, visits, businesses, households
  | 'ledger:transfer' // a street office moves a resident between its communities (otherwise read-only on the ledger)
  | 'staff:write'
  | 'views:read' // department forms (only its own templates for a department)
  | 'export'
  | 'import'
  | 'accounts:manage'
  | 'audit:read'
  | 'reports:read' // the reporting cycle: reports, their states, completeness
  | 'reports:submit' // submit the reports of the level the account is bound to
  | 'reports:review'; // approve, return, reopen the reports of the levels below

const GRANTS: Record<Role, readonly Permission[]> = {
  grid_worker: ['ledger:read', 'ledger:write', 'views:read', 'reports:read'],
  community_staff: ['ledger:read', 'ledger:write', 'staff:write', 'views:read', 'export', 'import', 'reports:read', 'reports:submit'],
  street_office: ['ledger:read', 'ledger:transfer', 'staff:write', 'views:read', 'export', 'import', 'reports:read', 'reports:submit', 'reports:review'],
  department: ['views:read', 'export', 'reports:read', 'reports:review'],
  admin: ['ledger:read', 'ledger:write', 'staff:write', 'views:read', 'export', 'import', 'accounts:manage', 'audit:read', 'reports:read', 'reports:submit', 'reports:review'],
};

export function roleCan(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** Whether a role sees full ID and phone numbers by default (a department only when its account is entitled). */
export const FULL_VALUES_BY_DEFAULT: Record<Role, boolean> = {
  grid_worker: true,
  community_staff: true,
  street_office: true,
  department: false,
  admin: true,
};

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);
