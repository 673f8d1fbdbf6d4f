// One community's rows, streamed in batches: households, then the residents that live in them; after all
// residents, the visits and businesses that refer to them. Only small summaries (key-group people and
// business operators) are kept between batches.
import { createContext } from './context.js';
import { buildHousehold, chooseKind } from './households.js';
import { residentRows, type KeyPerson, type Operator, type OperatorQuota } from './residents.js';
import { businessesFor } from './businesses.js';
import { visitsFor } from './visits.js';
import type {
  BusinessRow,
  CommunityBatch,
  FirstIds,
  GenerateCommunityOptions,
  HouseholdRow,
  ResidentRow,
  VisitRow,
} from './types.js';

export const BATCH_SIZE = 2000;
/** Households generated first in every community so that every form F01–F08 has rows there. */
const FORCED_HOUSEHOLDS = 5;

/**
 * Generates one community. Yields batches of at most BATCH_SIZE rows; returns the first ids the next
 * community should use. Pure: the output depends only on the options.
 */
export function* generateCommunity(opts: GenerateCommunityOptions): Generator<CommunityBatch, FirstIds, undefined> {
  const ctx = createContext(opts);
  const quota: OperatorQuota = { target: Math.max(2, Math.round(ctx.totalResidents * 0.02)), chosen: 0 };
  const keyPeople: KeyPerson[] = [];
  const operators: Operator[] = [];
  let households: HouseholdRow[] = [];
  let residents: ResidentRow[] = [];

  for (let index = 0; ctx.residentsLeft > 0; index++) {
    const forced = index < FORCED_HOUSEHOLDS;
    const hh = buildHousehold(ctx, chooseKind(ctx, index), forced);
    const out = residentRows(ctx, hh, forced, quota);
    households.push(hh.row);
    for (const r of out.rows) residents.push(r);
    for (const p of out.keyPeople) keyPeople.push(p);
    for (const o of out.operators) operators.push(o);
    // a household has at most 5 members, so a batch stays within BATCH_SIZE
    if (residents.length > BATCH_SIZE - 5 || ctx.residentsLeft <= 0) {
      yield { households };
      yield { residents };
      households = [];
      residents = [];
    }
  }

  let visitId = opts.firstIds.visit;
  let batch: VisitRow[] = [];
  for (const v of visitsFor(ctx, keyPeople, visitId)) {
    batch.push(v);
    if (batch.length === BATCH_SIZE) {
      yield { visits: batch };
      batch = [];
    }
    visitId = v.id + 1;
  }
  if (batch.length > 0) yield { visits: batch };

  let businessId = opts.firstIds.business;
  let shops: BusinessRow[] = [];
  for (const b of businessesFor(ctx, operators, businessId)) {
    shops.push(b);
    if (shops.length === BATCH_SIZE) {
      yield { businesses: shops };
      shops = [];
    }
    businessId = b.id + 1;
  }
  if (shops.length > 0) yield { businesses: shops };

  return { household: ctx.nextHouseholdId, resident: ctx.nextResidentId, visit: visitId, business: businessId };
}
