// Attribute draws that depend on age, sex and origin: ethnicity, party, disability, military service, health.
import { month } from './dates.js';
import type { Division } from './places.js';
import type { Dice } from './rng.js';

// Module-level aliases: under jest's vm sandbox every global lookup (Math, Number…) is slow.
const { floor, max, min } = Math;

export function ethnicity(dice: Dice, division: Division): string {
  const c = division.code;
  if (['500240', '500241', '500242', '500243', '433101', '422801'].includes(c)) {
    return dice.weighted([['15', 50], ['06', 20], ['01', 30]]);
  }
  if (c.startsWith('52')) return dice.weighted([['01', 80], ['06', 8], ['09', 5], ['12', 4], ['03', 1], ['15', 2]]);
  if (c.startsWith('53')) return dice.weighted([['01', 80], ['07', 12], ['14', 4], ['03', 2], ['18', 2]]);
  if (c.startsWith('45')) return dice.weighted([['01', 65], ['08', 32], ['13', 3]]);
  if (c.startsWith('51')) return dice.weighted([['01', 96], ['07', 2], ['04', 1], ['33', 0.5], ['03', 0.5]]);
  return dice.weighted([['01', 94], ['15', 4], ['06', 1.2], ['03', 0.4], ['11', 0.2], ['02', 0.1], ['10', 0.1]]);
}

export function politicalStatus(dice: Dice, age: number, veteran: boolean): string | null {
  if (age < 14) return null;
  const party = veteran ? 0.45 : age < 35 ? 0.05 : age < 60 ? 0.09 : 0.12;
  const r = dice.next();
  if (r < party) return '01';
  if (r < party + 0.004 && age >= 18) return '02';
  if (r < party + 0.007 && age >= 25 && !veteran) return dice.pick(['04', '05', '06', '07', '08', '09', '10', '11']);
  if (r < party + 0.009 && age >= 25) return '12';
  if (age <= 28 && dice.chance(0.4)) return '03';
  return '13';
}

/** [category, grade] or null; roughly 6% overall, rising with age. */
export function disability(dice: Dice, age: number): [string, string] | null {
  const p = age < 18 ? 0.014 : age < 45 ? 0.035 : age < 60 ? 0.065 : age < 75 ? 0.115 : 0.18;
  if (!dice.chance(p)) return null;
  const category =
    age < 18
      ? dice.weighted([['5', 35], ['3', 15], ['2', 15], ['4', 15], ['7', 15], ['6', 5]])
      : age < 60
        ? dice.weighted([['4', 35], ['6', 12], ['2', 12], ['1', 12], ['5', 10], ['7', 14], ['3', 5]])
        : dice.weighted([['4', 34], ['1', 20], ['2', 24], ['7', 16], ['6', 3], ['5', 1], ['3', 2]]);
  return [category, dice.weighted([['1', 10], ['2', 22], ['3', 30], ['4', 38]])];
}

export function healthStatus(dice: Dice, age: number, prone: boolean, disabilityGrade: string | null): string {
  if (prone) return dice.weighted([['3', 60], ['4', 40]]);
  if (disabilityGrade === '1') return dice.weighted([['3', 40], ['4', 60]]);
  if (age < 70) return dice.weighted([['1', 58], ['2', 30], ['3', 10], ['4', 2]]);
  if (age < 80) return dice.weighted([['1', 38], ['2', 38], ['3', 19], ['4', 5]]);
  return dice.weighted([['1', 18], ['2', 40], ['3', 29], ['4', 13]]);
}

export interface Service {
  enlistmentDate: string;
  dischargeDate: string;
  dischargeMethod: string;
  entitledGroup: string;
}

/**
 * Military service of a veteran: enlisted at 18–22 in that era's call-up month (winter until 2012, September
 * 2013–2019, March or September since 2020), discharged after 2–5 years as a rule (officers longer), never
 * after this month.
 */
export function service(dice: Dice, birthYear: number, today: string, disabled: boolean): Service {
  const thisMonth = today.slice(0, 7);
  const enlistYear = birthYear + dice.int(18, 22);
  const enlistMonth = enlistYear < 2013 ? (enlistYear < 1990 && dice.chance(0.3) ? 3 : 12) : enlistYear < 2020 ? 9 : dice.pick([3, 9]);
  const method = dice.weighted([['4', 70], ['2', 14], ['1', 4], ['9', 2], ['3', enlistYear < 1980 ? 30 : 2]]);
  let years = method === '2' ? dice.int(8, 20) : method === '1' ? dice.int(25, 32) : dice.int(2, 5);
  const todayYear = +(today.slice(0, 4));
  years = max(1, min(years, todayYear - enlistYear - 1));
  const enlistmentDate = month(enlistYear, enlistMonth);
  let dischargeDate = month(enlistYear + years, enlistMonth);
  if (dischargeDate > thisMonth) dischargeDate = month(enlistYear + years - 1, enlistMonth);
  const dischargeYear = enlistYear + years;
  let entitledGroup = '0';
  if (disabled && dice.chance(0.4)) entitledGroup = '1';
  else if (enlistYear <= 1987 && dischargeYear >= 1979 && dice.chance(0.2)) entitledGroup = '4';
  else if (method === '3' && dischargeYear <= 1978 && dice.chance(0.5)) entitledGroup = '3';
  else if (dice.chance(0.03)) entitledGroup = '2';
  else if (dice.chance(0.01)) entitledGroup = '9';
  return { enlistmentDate, dischargeDate, dischargeMethod: method, entitledGroup };
}

export const SUPPORT_AMOUNTS: Record<string, readonly number[]> = {
  // 集中供养 (care home) and 分散供养 monthly amounts in yuan
  '1': [1352, 1404, 1456.5],
  '2': [1040, 1092, 1144, 1196.5, 1248.35],
};

// Population by 5-year age group (China 2020 census shape, a little older as in Chongqing).
const AGE_BINS = [5.2, 5.9, 5.8, 5.0, 5.0, 6.0, 8.0, 6.6, 6.4, 8.0, 8.8, 7.8, 5.8, 6.4, 4.6, 3.0, 2.0, 1.2, 0.45, 0.12];
const MAX_AGE = 110;
/** CUMULATIVE[a] = weight of all ages below a */
const CUMULATIVE: number[] = [0];
for (let a = 0; a <= MAX_AGE; a++) CUMULATIVE.push(CUMULATIVE[a] + AGE_BINS[min(19, floor(a / 5))] / 5);

/** An age in [lo, hi] drawn with the population's age pyramid. */
export function sampleAge(dice: Dice, lo: number, hi: number): number {
  const x = CUMULATIVE[lo] + dice.next() * (CUMULATIVE[hi + 1] - CUMULATIVE[lo]);
  let a = lo;
  while (a < hi && CUMULATIVE[a + 1] <= x) a++;
  return a;
}
