// Per-community generation state: randomness, today, ids, the community's places and staff, addresses.
import { split } from './dates.js';
import { MAX_BIRTH_YEAR } from './identifiers.js';
import { CHONGQING, CITY, DISTRICTS, type CommunityPlan, type Division } from './places.js';
import { createRng, deriveSeed, Dice } from './rng.js';
import type { GenerateCommunityOptions, OrgUnitRow, StaffRow } from './types.js';

// Module-level aliases: under jest's vm sandbox every global lookup (Math, Number…) is slow.
const { ceil, floor, max, min } = Math;

export interface Ctx {
  dice: Dice;
  today: string;
  todayYear: number;
  /** latest birth year allowed (≤ 2024) */
  maxYear: number;
  districtName: string;
  /** 重庆市沙坪坝区陈家桥街道桥北社区 */
  prefix: string;
  plan: CommunityPlan;
  grids: OrgUnitRow[];
  /** staff id of each grid's 网格员, by grid index */
  gridWorkers: number[];
  cadres: StaffRow[];
  localDivision: Division;
  nextResidentId: number;
  nextHouseholdId: number;
  residentsLeft: number;
  totalResidents: number;
  addressCounters: number[];
  addressBase: number;
  addressStep: number;
}

export function createContext(opts: GenerateCommunityOptions): Ctx {
  const { community, today } = opts;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new RangeError(`today must be YYYY-MM-DD, got "${today}"`);
  let found: { plan: CommunityPlan; district: string; street: string } | undefined;
  for (const d of DISTRICTS) {
    for (const s of d.streets) {
      const plan = s.communities.find((c) => c.code === community.code);
      if (plan) found = { plan, district: d.name, street: s.name };
    }
  }
  if (!found) throw new RangeError(`community ${community.code} is not one of the demo communities`);
  const grids = [...opts.grids].filter((g) => g.parentCode === community.code).sort((a, b) => a.sortOrder - b.sortOrder);
  if (grids.length === 0) throw new RangeError(`community ${community.code} has no grids`);
  const ofCommunity = opts.staff.filter((s) => s.orgUnitCode === community.code || grids.some((g) => g.code === s.orgUnitCode));
  const cadres = ofCommunity.filter((s) => s.staffDuty === '2' && s.orgUnitCode === community.code);
  const gridWorkers = grids.map((g) => {
    const worker = ofCommunity.find((s) => s.staffDuty === '1' && s.orgUnitCode === g.code) ?? cadres[0] ?? ofCommunity[0];
    if (!worker) throw new RangeError(`community ${community.code} has no staff`);
    return worker.id;
  });
  const dice = new Dice(createRng(deriveSeed(opts.seed, community.code)));
  const todayYear = split(today)[0];
  const countyCode = community.code.slice(0, 6);
  return {
    dice,
    today,
    todayYear,
    maxYear: min(MAX_BIRTH_YEAR, todayYear),
    districtName: found.district,
    prefix: `${CITY}${found.district}${found.street}${found.plan.name}`,
    plan: found.plan,
    grids,
    gridWorkers,
    cadres: cadres.length > 0 ? cadres : ofCommunity,
    localDivision: CHONGQING.find((d) => d.code === countyCode) ?? CHONGQING[5],
    nextResidentId: opts.firstIds.resident,
    nextHouseholdId: opts.firstIds.household,
    residentsLeft: max(0, floor(opts.residents)),
    totalResidents: max(0, floor(opts.residents)),
    addressCounters: grids.map(() => 0),
    addressBase: dice.int(2, 40),
    addressStep: 2 * dice.int(3, 8),
  };
}

// Each grid's dwellings are dealt round-robin over ESTATES estates (小区, one road number each) of
// 6 栋 × 2 单元 × 7 层 × 3 户 = 252 dwellings, taken in a scrambled order; when full, the next ESTATES
// road numbers follow. Dwelling k of a grid therefore has its own (number, 栋, 单元, room): unique in the grid.
const ESTATES = 3;
const BUILDINGS = 6;
const UNITS = 2;
const FLOORS = 7;
const ROOMS = 3;
const ESTATE = BUILDINGS * UNITS * FLOORS * ROOMS;
const SCRAMBLE = 145; // coprime with 252

/** The next free dwelling address of a grid. */
export function nextAddress(ctx: Ctx, gridIndex: number): string {
  const k = ctx.addressCounters[gridIndex]++;
  const group = floor(k / (ESTATES * ESTATE));
  const estate = group * ESTATES + (k % ESTATES);
  let s = ((floor(k / ESTATES) % ESTATE) * SCRAMBLE + 17 * gridIndex) % ESTATE;
  const room = (s % ROOMS) + 1;
  s = floor(s / ROOMS);
  const storey = (s % FLOORS) + 1;
  s = floor(s / FLOORS);
  const unit = (s % UNITS) + 1;
  const building = floor(s / UNITS) + 1;
  const roads = ctx.plan.roads;
  const road = roads[gridIndex % roads.length];
  // grids sharing a road (more grids than roads) get disjoint house numbers
  const sharing = ceil(ctx.grids.length / roads.length);
  const number = ctx.addressBase + ctx.addressStep * (estate * sharing + floor(gridIndex / roads.length));
  const estateName = estate === 0 ? (ctx.plan.estates?.[gridIndex] ?? '') : '';
  return `${ctx.prefix}${road}${number}号${estateName}${building}栋${unit}单元${storey}${`${room}`.padStart(2, '0')}`;
}
