import type { OrgLevel } from './org-unit.repository.js';

/**
 * How long an org unit's code prefix is at each level: grid codes start with their community's, and so on up.
 * So a unit's whole subtree is one range of codes, and "within reach" is a prefix test.
 */
export const PREFIX_LENGTH: Record<OrgLevel, number> = { district: 6, street: 9, community: 12, grid: 15 };

export function codePrefix(code: string, level: OrgLevel): string {
  return code.slice(0, PREFIX_LENGTH[level]);
}
