// Independent reference checks for the generator tests (not the project's identity module).
import type { BusinessRow, CommunityBatch, HouseholdRow, ResidentRow, VisitRow } from '../../../src/seed/generator/index.js';

export interface Data {
  households: HouseholdRow[];
  residents: ResidentRow[];
  visits: VisitRow[];
  businesses: BusinessRow[];
}

export function collect(batches: Iterable<CommunityBatch>): Data {
  const data: Data = { households: [], residents: [], visits: [], businesses: [] };
  for (const batch of batches) {
    if ('households' in batch) data.households.push(...batch.households);
    if ('residents' in batch) data.residents.push(...batch.residents);
    if ('visits' in batch) data.visits.push(...batch.visits);
    if ('businesses' in batch) data.businesses.push(...batch.businesses);
  }
  return data;
}

function realDate(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number);
  const dim = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return m >= 1 && m <= 12 && d >= 1 && d <= dim[m - 1];
}

/** GB 11643: weights 2^(17-i) mod 11, check value (12 − Σ mod 11) mod 11, 10 written X. */
export function idNumberValid(id: string, today: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (2 ** (17 - i) % 11);
  const v = (12 - (sum % 11)) % 11;
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  return id[17] === (v === 10 ? 'X' : String(v)) && realDate(birth) && birth <= today && id.slice(14, 17) !== '000';
}

/** GB 32100: 31 characters, weights 3^i mod 31, check 31 − Σ mod 31 (31 → 0). */
export function creditCodeValid(code: string): boolean {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  if (code.length !== 18 || [...code].some((c) => !alphabet.includes(c))) return false;
  let sum = 0;
  let w = 1;
  for (let i = 0; i < 17; i++) {
    sum += alphabet.indexOf(code[i]) * w;
    w = (w * 3) % 31;
  }
  return code[17] === alphabet[(31 - (sum % 31)) % 31];
}

export function birthDateOf(r: { idNumber: string }): string {
  const id = r.idNumber;
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

export function isMale(r: { idNumber: string }): boolean {
  return Number(r.idNumber[16]) % 2 === 1;
}

/** Whole years on `on`. */
export function ageAt(r: { idNumber: string }, on: string): number {
  const [by, bm, bd] = birthDateOf(r).split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  return y - by - (m > bm || (m === bm && d >= bd) ? 0 : 1);
}

/** Collects rule violations so that a test makes one assertion, not one per row (jest's expect is slow). */
export class Problems {
  readonly list: string[] = [];
  check(ok: unknown, what: string | (() => string)): void {
    if (!ok && this.list.length < 20) this.list.push(typeof what === 'string' ? what : what());
  }
}
