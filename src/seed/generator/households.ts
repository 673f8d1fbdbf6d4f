// Households: who lives together, their ages, sexes, names and ID numbers.
import { addDays, ageOn, maxDate, minDate, randomDate } from './dates.js';
import { birthDateFor, idSlot, makeIdNumber, sequenceFor, yearInClass } from './identifiers.js';
import { nextAddress, type Ctx } from './context.js';
import { fullName, givenName, mobile, surname as randomSurname } from './names.js';
import { CHONGQING, ELSEWHERE, hukouElsewhere, type Division } from './places.js';
import type { Dice } from './rng.js';
import { sampleAge } from './traits.js';
import type { HouseholdRow } from './types.js';

// Module-level aliases: under jest's vm sandbox every global lookup (Math, Number…) is slow.
const { max, min } = Math;

export type Role = 'head' | 'spouse' | 'child' | 'parent' | 'mate';

/** Facts decided with the household; residents.ts turns them into field values. */
export interface Force {
  prone?: '1' | '2' | '3';
  disability?: [string, string];
  veteran?: boolean;
  /** 特困供养 */
  poverty?: boolean;
  /** runs a business (商户经营者) */
  operator?: boolean;
}

export interface Member {
  id: number;
  role: Role;
  male: boolean;
  surname: string;
  name: string;
  birthDate: string;
  age: number;
  idNumber: string;
  division: Division;
  marital: string | null;
  childrenCount: number | null;
  /** lives in a care home (入住养老机构) although registered at the household's address */
  careHome: boolean;
  /** 户籍地址 of a flatmate from another hometown (otherwise the household's) */
  hukouAddress: string | null;
  force: Force;
}

export interface Household {
  row: HouseholdRow;
  gridIndex: number;
  floating: boolean;
  /** 来本地日期 of the household (floating only) */
  arrival: string | null;
  /** 户籍地址 shared by a floating family; null for locals (their own or the current address) */
  hukouAddress: string | null;
  ruralHukou: boolean;
  members: Member[];
}

interface Spec {
  role: Role;
  male: boolean;
  lo: number;
  hi: number;
  pref: number;
  surname?: string;
}

function member(ctx: Ctx, hh: Household, spec: Spec, home: Division | null): Member {
  const { dice } = ctx;
  const id = ctx.nextResidentId++;
  ctx.residentsLeft--;
  const slot = idSlot(id);
  const birthDate = birthDateFor(slot, yearInClass(spec.lo, spec.hi, spec.pref, slot.yearClass, ctx.maxYear), ctx.today);
  const year = +(birthDate.slice(0, 4));
  const division = home ?? (dice.chance(0.6) ? ctx.localDivision : dice.pick(CHONGQING));
  const family = spec.surname ?? randomSurname(dice);
  const name = family + givenName(dice, spec.male, year);
  const m: Member = {
    id,
    role: spec.role,
    male: spec.male,
    surname: family,
    name,
    birthDate,
    age: ageOn(birthDate, ctx.today),
    idNumber: makeIdNumber(division.code, birthDate, sequenceFor(slot, spec.male)),
    division,
    marital: null,
    childrenCount: null,
    careHome: false,
    hukouAddress: null,
    force: {},
  };
  hh.members.push(m);
  return m;
}

export type Kind =
  | 'single' | 'couple' | 'nuclear' | 'threeGen' | 'singleParent'
  | 'floatSingle' | 'floatCouple' | 'floatFamily' | 'floatMates'
  | 'forcedAlone' | 'forcedOrphan' | 'forcedWander' | 'forcedVeteran';

const FORCED: Kind[] = ['forcedAlone', 'forcedOrphan', 'forcedWander', 'forcedVeteran', 'floatFamily'];

export function chooseKind(ctx: Ctx, index: number): Kind {
  if (index < FORCED.length) return FORCED[index];
  const { dice } = ctx;
  if (dice.chance(0.22)) {
    return dice.weighted<Kind>([['floatSingle', 45], ['floatCouple', 20], ['floatFamily', 25], ['floatMates', 10]]);
  }
  return dice.weighted<Kind>([['single', 15], ['couple', 22], ['nuclear', 43], ['threeGen', 14], ['singleParent', 6]]);
}

const yearOf = (m: Member): number => +(m.birthDate.slice(0, 4));

function childrenForEra(dice: Dice, birthYear: number): number {
  if (birthYear < 1950) return dice.int(2, 5);
  if (birthYear < 1965) return dice.int(1, 3);
  return dice.weighted([[1, 6], [2, 3], [3, 1]]);
}

/** Builds one household of the given kind (members may be cut short when the community is full). */
export function buildHousehold(ctx: Ctx, kind: Kind, forced: boolean): Household {
  const { dice, todayYear } = ctx;
  const floating = kind.startsWith('float');
  const gridIndex = dice.int(0, ctx.grids.length - 1);
  const home = floating ? dice.weighted(ELSEWHERE) : null;
  const rural = floating ? dice.chance(0.55) : dice.chance(0.12);
  const dwellingType = floating
    ? dice.weighted([['2', 78], ['3', kind === 'floatMates' ? 40 : 8], ['1', 8], ['9', 3]])
    : dice.weighted([['1', 84], ['2', 11], ['9', 5]]);
  const landlord = dwellingType === '2';
  const hh: Household = {
    row: {
      id: ctx.nextHouseholdId++,
      gridCode: ctx.grids[gridIndex].code,
      currentAddress: nextAddress(ctx, gridIndex),
      dwellingType,
      landlordName: landlord ? fullName(dice, dice.chance(0.5), dice.int(1950, 1985)) : null,
      landlordPhone: landlord ? mobile(dice) : null,
    },
    gridIndex,
    floating,
    arrival: null,
    hukouAddress: null,
    ruralHukou: rural,
    members: [],
  };
  if (home) hh.hukouAddress = hukouElsewhere(dice, home, rural);
  const full = (): boolean => ctx.residentsLeft <= 0;
  const at = (age: number): number => todayYear - age;
  const add = (spec: Spec): Member | null => (full() ? null : member(ctx, hh, spec, home));
  const elderHi = at(61); // born in or before this year ⇒ 60 or older today

  const head = (lo: number, hi: number, male: boolean): Member =>
    member(ctx, hh, { role: 'head', male, lo: at(hi), hi: at(lo), pref: at(sampleAge(dice, lo, hi)) }, home);
  const spouseOf = (h: Member, elderly: boolean): Member | null => {
    const hy = yearOf(h);
    const [lo, hi] = h.male ? [hy - 2, hy + 6] : [hy - 6, hy + 2];
    const s = add({ role: 'spouse', male: !h.male, lo, hi: elderly ? min(hi, elderHi) : hi, pref: h.male ? hy + dice.int(0, 4) : hy - dice.int(0, 4) });
    if (s) s.marital = h.marital = '20';
    return s;
  };
  const childrenOf = (h: Member, s: Member | null, n: number): Member[] => {
    const ys = [yearOf(h), ...(s ? [yearOf(s)] : [])];
    const fam = h.male || !s ? h.surname : s.surname;
    const lo = max(...ys) + 20;
    const hi = min(min(...ys) + 42, ctx.maxYear);
    const kids: Member[] = [];
    // parents too young for a child born 20+ years after them: no children in the household
    if (hi - lo < 7) return kids;
    for (let i = 0; i < n; i++) {
      const k = add({ role: 'child', male: dice.chance(0.51), lo, hi, pref: dice.int(lo, max(lo, hi)), surname: dice.chance(0.92) ? fam : undefined });
      if (k) kids.push(k);
    }
    for (const k of kids) k.marital = k.age >= 20 ? '10' : null;
    return kids;
  };
  const setChildren = (parents: (Member | null)[], kids: number, extra: number): void => {
    for (const p of parents) if (p) p.childrenCount = kids + extra;
  };

  switch (kind) {
    case 'forcedAlone':
    case 'forcedOrphan':
    case 'single': {
      const elderly = kind !== 'single' || dice.chance(0.6);
      const h = elderly ? head(kind === 'single' ? 60 : 68, kind === 'single' ? 99 : 88, dice.chance(0.38)) : head(20, 59, dice.chance(0.55));
      if (elderly) {
        h.marital = kind === 'forcedAlone' ? '30' : kind === 'forcedOrphan' ? dice.pick(['30', '10']) : dice.weighted([['30', 72], ['40', 12], ['10', 8], ['20', 8]]);
        const orphanRoll = kind === 'forcedOrphan' || (h.marital !== '20' && (h.marital === '10' || dice.chance(0.13)));
        h.childrenCount = kind === 'forcedAlone' ? dice.int(1, 3) : orphanRoll ? 0 : childrenForEra(dice, yearOf(h));
        h.force.poverty = kind === 'forcedOrphan' || (h.childrenCount === 0 && h.marital !== '20' && dice.chance(0.6));
        // some 特困 elderly live in a care home (集中供养); a few others too
        if (kind === 'single' && ((h.force.poverty && dice.chance(0.35)) || dice.chance(0.04))) h.careHome = true;
      } else {
        h.marital = h.age < 20 ? '10' : dice.weighted([['10', 80], ['40', 20]]);
        h.childrenCount = h.marital === '40' ? dice.int(0, 1) : h.age >= 30 ? 0 : null;
      }
      break;
    }
    case 'couple':
    case 'forcedWander': {
      const elderly = kind === 'forcedWander' || dice.chance(0.65);
      const h = elderly ? head(kind === 'forcedWander' ? 75 : 60, kind === 'forcedWander' ? 88 : 95, true) : head(24, 59, true);
      const s = spouseOf(h, elderly);
      const kids = elderly ? childrenForEra(dice, yearOf(h)) : h.age > 45 ? dice.int(1, 2) : dice.int(0, 1);
      setChildren([h, s], 0, kids);
      if (kind === 'forcedWander') (s ?? h).force.prone = '1';
      break;
    }
    case 'nuclear':
    case 'forcedVeteran':
    case 'singleParent': {
      const single = kind === 'singleParent';
      const h = kind === 'forcedVeteran' ? head(45, 70, true) : single ? head(28, 60, dice.chance(0.3)) : head(28, 72, dice.chance(0.85));
      const s = single ? null : spouseOf(h, false);
      if (single) h.marital = dice.weighted([['40', 70], ['30', 30]]);
      const n = dice.weighted([[1, 60], [2, 35], [3, single ? 5 : 4]]);
      const kids = childrenOf(h, s, n);
      setChildren([h, s], kids.length, yearOf(h) < 1965 && dice.chance(0.4) ? 1 : 0);
      if (kind === 'forcedVeteran') {
        h.force.veteran = true;
        if (s) s.force.disability = ['4', '3'];
      }
      break;
    }
    case 'threeGen': {
      const h = head(32, 55, dice.chance(0.85));
      const s = spouseOf(h, false);
      const hy = yearOf(h);
      const both = dice.chance(0.45);
      const firstMale = both || dice.chance(0.45);
      const p1 = add({ role: 'parent', male: firstMale, lo: hy - 36, hi: min(hy - 22, elderHi), pref: hy - dice.int(24, 32), surname: firstMale ? h.surname : undefined });
      const p2 = p1 && both
        ? add({ role: 'parent', male: false, lo: yearOf(p1) - 2, hi: min(yearOf(p1) + 6, hy - 20), pref: yearOf(p1) + 2 })
        : null;
      // at most 5 people: with both grandparents, one grandchild
      const kids = childrenOf(h, s, p2 ? 1 : dice.weighted([[1, 65], [2, 35]]));
      setChildren([h, s], kids.length, 0);
      for (const g of [p1, p2]) {
        if (!g) continue;
        g.marital = p2 ? '20' : dice.weighted([['30', 85], ['40', 15]]);
        g.childrenCount = childrenForEra(dice, yearOf(g));
      }
      break;
    }
    case 'floatSingle': {
      const h = head(18, 50, dice.chance(0.56));
      h.marital = h.age < 22 ? '10' : dice.weighted([['10', 55], ['20', 38], ['40', 7]]);
      h.childrenCount = h.marital === '10' ? (h.age >= 30 ? 0 : null) : dice.int(0, 2);
      break;
    }
    case 'floatCouple':
    case 'floatFamily': {
      const family = kind === 'floatFamily';
      const h = family ? head(28, 48, dice.chance(0.85)) : head(22, 55, dice.chance(0.85));
      const s = spouseOf(h, false);
      const kids = family ? childrenOf(h, s, dice.weighted([[1, 65], [2, 35]])) : [];
      setChildren([h, s], kids.length, family ? 0 : h.age > 40 ? dice.int(1, 2) : 0);
      break;
    }
    case 'floatMates': {
      const n = dice.int(2, 3);
      const male = dice.chance(0.6);
      for (let i = 0; i < n; i++) {
        const y = i === 0 ? 0 : yearOf(hh.members[0]) + dice.int(-3, 3);
        // flatmates are not family: each has a hometown of their own
        const own = i === 0 ? home : dice.weighted(ELSEWHERE);
        const m = i === 0 ? head(18, 35, male) : full() ? null : member(ctx, hh, { role: 'mate', male, lo: y - 4, hi: min(y + 4, at(18)), pref: y }, own);
        if (m && own && own !== home) m.hukouAddress = hukouElsewhere(dice, own, rural);
        if (m) {
          m.marital = m.age < 22 ? '10' : dice.weighted([['10', 75], ['20', 25]]);
          m.childrenCount = m.marital === '20' ? dice.int(0, 1) : null;
        }
      }
      break;
    }
  }
  // the forced floating family runs a business (经商)
  if (forced && floating) hh.members[0].force.operator = true;
  if (floating) {
    const adult = hh.members[0];
    const from = maxDate('2008-01-01', addDays(adult.birthDate, 18 * 366));
    hh.arrival = randomDate(dice, minDate(from, addDays(ctx.today, -30)), addDays(ctx.today, -7));
  }
  return hh;
}
