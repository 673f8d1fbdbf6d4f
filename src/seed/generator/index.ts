// Demo data for 一表通: org units, staff, and per community households, residents, visits and businesses.
// Pure and deterministic: the same seed and today give the same rows; the only randomness is createRng.
import { generateCommunity } from './community.js';
import { demoOrgUnits, demoStaff } from './org.js';
import type { CommunityBatch, FirstIds, OrgUnitRow, StaffRow } from './types.js';

export { generateCommunity, BATCH_SIZE } from './community.js';
export { demoOrgUnits, demoStaff } from './org.js';
export { createRng } from './rng.js';
export { ID_CAPACITY } from './identifiers.js';
export type {
  BusinessRow,
  CommunityBatch,
  FirstIds,
  GenerateCommunityOptions,
  HouseholdRow,
  OrgUnitRow,
  ResidentFields,
  ResidentRow,
  StaffRow,
  VisitRow,
} from './types.js';

/** Residents per community when nothing else is asked for. */
export const DEFAULT_RESIDENTS_PER_COMMUNITY = 330;

export interface DemoOptions {
  seed: number;
  /** YYYY-MM-DD */
  today: string;
  /** total residents, spread evenly over the communities (default 330 per community) */
  residents?: number;
  orgUnits?: OrgUnitRow[];
  staff?: StaffRow[];
  firstIds?: FirstIds;
}

/**
 * Every community in org-unit order, ids running on from one community to the next (from 1 unless told).
 * Each yielded batch names its community.
 */
export function* generateDemo(opts: DemoOptions): Generator<{ community: OrgUnitRow } & CommunityBatch, FirstIds, undefined> {
  const orgUnits = opts.orgUnits ?? demoOrgUnits();
  const staff = opts.staff ?? demoStaff(orgUnits);
  const communities = orgUnits.filter((u) => u.level === 'community');
  const total = opts.residents ?? DEFAULT_RESIDENTS_PER_COMMUNITY * communities.length;
  let ids: FirstIds = opts.firstIds ?? { household: 1, resident: 1, visit: 1, business: 1 };
  for (const [i, community] of communities.entries()) {
    // spread the remainder over the first communities
    const residents = Math.floor(total / communities.length) + (i < total % communities.length ? 1 : 0);
    const grids = orgUnits.filter((u) => u.level === 'grid' && u.parentCode === community.code);
    const gen = generateCommunity({ community, grids, staff, residents, seed: opts.seed, today: opts.today, firstIds: ids });
    for (;;) {
      const step = gen.next();
      if (step.done) {
        ids = step.value;
        break;
      }
      yield { community, ...step.value };
    }
  }
  return ids;
}
