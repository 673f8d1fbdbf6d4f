// Deterministic, collision-free 公民身份号码 (GB 11643) and 统一社会信用代码 (GB 32100) for demo rows.
//
// ID numbers: the triple (birth day-of-year, sequence pair q, birth year mod 8) is a bijection of the
// resident's global id (through an affine permutation, so neighbours do not get neighbouring birthdays).
// Two residents with different ids < ID_CAPACITY therefore differ in birth month/day, in sequence number,
// or in birth year, whatever their division codes and sexes: their ID numbers cannot collide.
import { creditCodeCheckCharacter } from '../../identity/credit-code.js';
import { dayIndexToMonthDay, iso } from './dates.js';

// Module-level aliases: under jest's vm sandbox every global lookup (Math, Number…) is slow.
const { floor, max, min } = Math;

export const MIN_BIRTH_YEAR = 1925;
export const MAX_BIRTH_YEAR = 2024;
/** Birth years are spread over classes modulo this; ranges passed to yearInClass are widened to it. */
export const YEAR_CLASSES = 8;
const DAYS = 365;
/** Sequence numbers 2q+1 (men) and 2q+2 (women), q = 0..498: 001..997 odd, 002..998 even. */
const PAIRS = 499;
const SLOTS = DAYS * PAIRS;
/** Resident ids 1..ID_CAPACITY get pairwise different ID numbers (1,457,080). */
export const ID_CAPACITY = SLOTS * YEAR_CLASSES;
// ID_CAPACITY = 2^3 · 5 · 73 · 499; the multiplier must be coprime with it.
const ID_MUL = 611_953;
const ID_ADD = 104_729;

export interface IdSlot {
  /** 0..364 in a common year */
  dayIndex: number;
  /** 0..498 */
  pair: number;
  /** 0..7: the birth year must be ≡ this modulo YEAR_CLASSES */
  yearClass: number;
}

export function idSlot(residentId: number): IdSlot {
  const r = (((residentId - 1) % ID_CAPACITY) + ID_CAPACITY) % ID_CAPACITY;
  // r * ID_MUL stays below 2^53
  const p = (r * ID_MUL + ID_ADD) % ID_CAPACITY;
  const slot = p % SLOTS;
  return { dayIndex: slot % DAYS, pair: floor(slot / DAYS), yearClass: floor(p / SLOTS) };
}

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/**
 * The year of class `yearClass` in [lo, hi] nearest to `preferred`. The range is first clipped to the
 * allowed birth years and, when narrower than YEAR_CLASSES, widened downwards (older), so a year exists.
 */
export function yearInClass(lo: number, hi: number, preferred: number, yearClass: number, maxYear: number): number {
  let a = max(lo, MIN_BIRTH_YEAR);
  let b = min(hi, maxYear);
  if (b - a < YEAR_CLASSES - 1) {
    a = b - (YEAR_CLASSES - 1);
    if (a < MIN_BIRTH_YEAR) {
      a = MIN_BIRTH_YEAR;
      b = a + YEAR_CLASSES - 1;
    }
  }
  const pref = min(max(preferred, a), b);
  const below = pref - mod(pref - yearClass, YEAR_CLASSES);
  const above = below + YEAR_CLASSES;
  let y = pref - below <= above - pref ? below : above;
  if (y < a) y += YEAR_CLASSES;
  if (y > b) y -= YEAR_CLASSES;
  return y;
}

/** Birth date for a slot in a given year; stepped back by whole classes while after `today`. */
export function birthDateFor(slot: IdSlot, year: number, today: string): string {
  const [m, d] = dayIndexToMonthDay(slot.dayIndex);
  let y = year;
  while (iso(y, m, d) > today) y -= YEAR_CLASSES;
  return iso(y, m, d);
}

export function sequenceFor(slot: IdSlot, male: boolean): string {
  return `${2 * slot.pair + (male ? 1 : 2)}`.padStart(3, '0');
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/**
 * GB 11643 check character. The same computation as idCheckCharacter in src/identity (the tests compare
 * them), written without global lookups: called a million times, and jest's sandbox makes those slow.
 */
export function idCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

export function makeIdNumber(division: string, birthDate: string, sequence: string): string {
  const first17 = division + birthDate.slice(0, 4) + birthDate.slice(5, 7) + birthDate.slice(8, 10) + sequence;
  return first17 + idCheck(first17);
}

// ── 统一社会信用代码 ──────────────────────────────────────────────────

const GB32100 = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11714 organisation-code check character over 8 body characters (letters A=10 … Z=35). */
function orgCodeCheck(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(body8[i], 36) * GB11714_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : `${c}`;
}

const IND_SPACE = 31 ** 6; // 887,503,681
const COMPANY_SPACE = 100_000_000;

/**
 * A valid, unique 统一社会信用代码 for a business id: 92 (个体工商户) with an "MA…" organisation code,
 * or 91 (企业) with an 8-digit one; both with the GB 11714 check character and the GB 32100 one.
 */
export function makeCreditCode(businessId: number, division: string, company: boolean): string {
  let body: string;
  if (company) {
    const n = (businessId * 7_654_321 + 13_579_135) % COMPANY_SPACE;
    body = `${n}`.padStart(8, '0');
  } else {
    let n = (businessId * 123_457 + 98_765_431) % IND_SPACE;
    let chars = '';
    for (let i = 0; i < 6; i++) {
      chars = GB32100[n % 31] + chars;
      n = floor(n / 31);
    }
    body = `MA${chars}`;
  }
  const first17 = `${company ? '91' : '92'}${division}${body}${orgCodeCheck(body)}`;
  return first17 + creditCodeCheckCharacter(first17);
}
