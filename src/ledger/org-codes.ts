import type { OrgLevel } from './org-unit.repository.js';

/**
 * How long an org unit's code prefix is at each level: grid codes start with their community's, and so on up.
 * So a unit's whole subtree is one range of codes, and "within reach" is a prefix test.
 */
export const PREFIX_LENGTH: Record<OrgLevel, number> = { district: 6, street: 9, community: 12, grid: 15 };

/** The level of an org unit from its code: grids have 15 digits; the others end in 000 where they stop. */
export function levelOfCode(code: string): OrgLevel {
  if (code.length === 15) return 'grid';
  if (code.endsWith('000000')) return 'district';
  if (code.endsWith('000')) return 'street';
  return 'community';
}

export function codePrefix(code: string, level: OrgLevel): string {
  return code.slice(0, PREFIX_LENGTH[level]);
}
