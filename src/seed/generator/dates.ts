// Calendar helpers on 'YYYY-MM-DD' strings (no Date objects, no time zones).
import type { Dice } from './rng.js';

// Module-level aliases: under jest's vm sandbox every global lookup (Math, Number…) is slow.
const { floor } = Math;

const NON_LEAP_MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeap(y) ? 29 : NON_LEAP_MONTH_DAYS[m - 1];
}

const p2 = (n: number): string => `${n}`.padStart(2, '0');

export function iso(y: number, m: number, d: number): string {
  return `${`${y}`.padStart(4, '0')}-${p2(m)}-${p2(d)}`;
}

export function month(y: number, m: number): string {
  return `${`${y}`.padStart(4, '0')}-${p2(m)}`;
}

export function split(date: string): [number, number, number] {
  return [+(date.slice(0, 4)), +(date.slice(5, 7)), +(date.slice(8, 10))];
}

/** Day 0..364 of a non-leap year → [month, day]; valid in every year, and injective. */
export function dayIndexToMonthDay(index: number): [number, number] {
  let rest = index;
  for (let m = 1; m <= 12; m++) {
    const len = NON_LEAP_MONTH_DAYS[m - 1];
    if (rest < len) return [m, rest + 1];
    rest -= len;
  }
  throw new RangeError(`day index ${index} out of 0..364`);
}

/** Days since 1970-01-01 (proleptic Gregorian), and back. */
export function toDayNumber(date: string): number {
  const [y, m, d] = split(date);
  const yy = m <= 2 ? y - 1 : y;
  const era = floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): string {
  const z = n + 719468;
  const era = floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
  const mp = floor((5 * doy + 2) / 153);
  const d = doy - floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return iso(era * 400 + yoe + (m <= 2 ? 1 : 0), m, d);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** A uniformly random date in [from, to] (inclusive); returns `to` when from > to. */
export function randomDate(dice: Dice, from: string, to: string): string {
  const a = toDayNumber(from);
  const b = toDayNumber(to);
  return b <= a ? to : fromDayNumber(dice.int(a, b));
}

export function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}

export function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

/** Whole years on `on` (a 29 Feb birthday counts on 1 Mar in common years). */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = split(birthDate);
  const [y, m, d] = split(on);
  return y - by - (m > bm || (m === bm && d >= bd) ? 0 : 1);
}

/** First day of the month `back` months before the month of `date`. */
export function monthStartBefore(date: string, back: number): [number, number] {
  const [y, m] = split(date);
  const idx = y * 12 + (m - 1) - back;
  return [floor(idx / 12), (idx % 12) + 1];
}
