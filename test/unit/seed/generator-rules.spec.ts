// The generated rows against the dictionary's rules and the department forms' row conditions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { demoOrgUnits, demoStaff, generateDemo, type ResidentRow } from '../../../src/seed/generator/index.js';
import { ageAt, birthDateOf, collect, creditCodeValid, isMale, Problems, type Data } from './generator-helpers.js';

type Condition = { field: string; in?: string[]; present?: boolean; equals?: unknown };
interface FieldDef {
  key: string;
  entity: string;
  type: string;
  codeList?: string;
  required?: boolean;
  derivedFrom?: string;
  /** Changed only through commands (deregistration): demo residents are all on the ledger. */
  readOnly?: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  notAfterToday?: boolean;
  onlyWhen?: Condition;
  requiredWhen?: Condition;
}
const templates = join(process.cwd(), 'templates');
const dictionary = parse(readFileSync(join(templates, 'dictionary.yaml'), 'utf8')) as { fields: FieldDef[] };
const codes = (key: string): Set<string> =>
  new Set((parse(readFileSync(join(templates, 'code-lists', `${key}.yaml`), 'utf8')) as { items: { code: string }[] }).items.map((i) => i.code));

const orgUnits = demoOrgUnits();
const staff = demoStaff(orgUnits);
const communities = orgUnits.filter((u) => u.level === 'community');
const MOBILE = /^1[3-9]\d{9}$/;
const ADDRESS = /^重庆市(沙坪坝区|巴南区).+街道.+社区.+\d+号.*\d+栋\d单元\d0\d$/;
const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?[2-9]\d{6,7})$/;
const holds = (row: Record<string, unknown>, c: Condition): boolean => {
  const v = row[c.field];
  if (c.in) return c.in.includes(v as string);
  if (c.present) return v !== null && v !== undefined;
  return v === c.equals;
};

const isF01 = (r: ResidentRow, on: string): boolean => r.livingArrangement === '1' && ageAt(r, on) >= 60;
const isF02 = (r: ResidentRow, on: string): boolean =>
  ['10', '30', '40'].includes(r.maritalStatus ?? '') && r.childrenCount === 0 && ageAt(r, on) >= 60;
const isF03 = (r: ResidentRow): boolean => r.proneToWandering === true;

// Three reference dates: the usual one, the first day of a month, and one inside 2024 (youngest births).
describe.each(['2026-11-25', '2025-03-01', '2024-06-15'])('demo data as of %s', (today) => {
  let data: Data;
  beforeAll(() => {
    data = collect(generateDemo({ seed: 7, today }));
  });

  it('fills every resident field of the dictionary, with values its types, code lists and ranges allow', () => {
    const stored = dictionary.fields.filter((f) => f.entity === 'resident' && !f.derivedFrom && !f.readOnly && f.key !== 'liaisonStaff');
    const expectedKeys = ['id', 'gridCode', 'householdId', 'liaisonStaffId', ...stored.map((f) => f.key)].sort();
    const lists = new Map(stored.filter((f) => f.codeList).map((f) => [f.key, codes(f.codeList!)]));
    const problems = new Problems();
    const keys = expectedKeys.join(',');
    for (const r of data.residents) {
      problems.check(Object.keys(r).sort().join(',') === keys, () => `resident ${r.id}: keys ${Object.keys(r).sort().join(',')}`);
      for (const f of stored) {
        const v = r[f.key];
        const bad = (rule: string) => (): string => `resident ${r.id}: ${f.key} = ${JSON.stringify(v)} (${rule})`;
        if (f.required) problems.check(v !== null, bad('required'));
        if (f.onlyWhen && !holds(r, f.onlyWhen)) problems.check(v === null, bad('onlyWhen'));
        if (f.requiredWhen && holds(r, f.requiredWhen)) problems.check(v !== null, bad('requiredWhen'));
        if (v === null) continue;
        const ok =
          f.type === 'code' ? lists.get(f.key)!.has(v as string)
          : f.type === 'boolean' ? typeof v === 'boolean'
          : f.type === 'integer' ? Number.isInteger(v) && (f.min === undefined || (v as number) >= f.min) && (f.max === undefined || (v as number) <= f.max)
          : f.type === 'decimal' ? typeof v === 'number' && Math.abs((v as number) * 100 - Math.round((v as number) * 100)) < 1e-6
          : f.type === 'date' ? /^\d{4}-\d{2}-\d{2}$/.test(v as string) && (!f.notAfterToday || (v as string) <= today)
          : f.type === 'month' ? /^\d{4}-(0[1-9]|1[0-2])$/.test(v as string) && (v as string) <= today.slice(0, 7)
          : f.type === 'phone' ? PHONE.test(v as string)
          : typeof v === 'string' && v.length > 0 && (f.maxLength === undefined || v.length <= f.maxLength);
        problems.check(ok, bad(f.type));
      }
    }
    expect(problems.list).toEqual([]);
  });

  it('keeps the cross-field rules', () => {
    const households = new Map(data.households.map((h) => [h.id, h]));
    const p = new Problems();
    for (const r of data.residents) {
      const at = (rule: string) => (): string => `resident ${r.id} (${r.name}): ${rule}`;
      const birth = birthDateOf(r);
      p.check(r.gridCode === households.get(r.householdId)!.gridCode, at('grid of household'));
      p.check(r.wanderingReason === null || r.proneToWandering === true, at('wanderingReason only when prone'));
      p.check(r.disabilityCategory === null || r.disabilityGrade !== null, at('grade with category'));
      p.check(r.severeDisabilityCareSubsidy !== true || ['1', '2'].includes(r.disabilityGrade ?? ''), at('care subsidy only for grade 1–2'));
      if (r.enlistmentDate !== null) {
        p.check(r.dischargeDate !== null && r.dischargeDate >= r.enlistmentDate, at('discharge ≥ enlistment'));
        const enlistAge = Number(r.enlistmentDate.slice(0, 4)) - Number(birth.slice(0, 4));
        p.check(enlistAge >= 18 && enlistAge <= 22, at(`enlisted at ${enlistAge}`));
      }
      p.check((r.monthlySupportAmount !== null) === (r.supportMode === '1' || r.supportMode === '2'), at('support amount iff supported'));
      p.check(r.childrenCount === null || r.childrenCount <= 5, at('children 0..5'));
      p.check(r.registeredOn >= '2018-01-01' && r.registeredOn <= today && r.registeredOn >= birth, at('registeredOn'));
      if (r.registrationType === '2') {
        p.check(r.arrivalDate !== null && r.arrivalDate >= birth && r.arrivalDate <= today, at('arrivalDate'));
        p.check(r.arrivalDate !== null && r.registeredOn >= r.arrivalDate.slice(0, 4) + '-01-01', at('registered after arrival'));
        p.check(r.hukouAddress !== null && !r.hukouAddress.startsWith('重庆市'), at('hukou elsewhere'));
      } else {
        p.check(r.arrivalDate === null && r.residenceReason === null && r.residencePermit === null, at('floating fields of a local'));
      }
      if (isF01(r, today)) p.check(r.emergencyContactName && r.emergencyContactRelation && r.emergencyContactPhone, at('F01 emergency contact'));
      if (isF03(r)) p.check(r.guardianName && r.guardianRelation && r.guardianPhone, at('F03 guardian'));
      if (isF03(r) && r.wanderingReason === '2') p.check(r.disabilityCategory === '5', at('智力残疾 reason without 智力 disability'));
      if (isF02(r, today) || isF03(r)) {
        const cadre = staff.find((s) => s.id === r.liaisonStaffId);
        p.check(cadre?.staffDuty === '2' && cadre.orgUnitCode === r.gridCode.slice(0, 12), at('liaison is a 社区干部 of the community'));
      }
      if (r.phone !== null && !r.phone.startsWith('0')) p.check(MOBILE.test(r.phone), at('mobile'));
    }
    for (const h of data.households) {
      if (h.dwellingType === '2') p.check(h.landlordName && MOBILE.test(h.landlordPhone ?? ''), `household ${h.id}: landlord`);
      else p.check(h.landlordName === null && h.landlordPhone === null, `household ${h.id}: landlord without 租赁房`);
    }
    expect(p.list).toEqual([]);
  });

  it('has households of 1–5 people with addresses unique within each grid', () => {
    const size = new Map<number, number>();
    for (const r of data.residents) size.set(r.householdId, (size.get(r.householdId) ?? 0) + 1);
    expect([...size.values()].every((n) => n >= 1 && n <= 5)).toBe(true);
    expect(size.size).toBe(data.households.length);
    const seen = new Set<string>();
    const p = new Problems();
    for (const h of data.households) {
      const key = `${h.gridCode}|${h.currentAddress}`;
      p.check(!seen.has(key), `household ${h.id}: address repeated in its grid: ${h.currentAddress}`);
      seen.add(key);
      p.check(ADDRESS.test(h.currentAddress), `household ${h.id}: ${h.currentAddress}`);
    }
    expect(p.list).toEqual([]);
  });

  it('gives every community rows for every form F01–F08', () => {
    const residents = new Map(data.residents.map((r) => [r.id, r]));
    const [y, m] = today.split('-').map(Number);
    const thisMonth = today.slice(0, 7);
    for (const c of communities) {
      const here = data.residents.filter((r) => r.gridCode.startsWith(c.code));
      const visits = data.visits.filter((v) => residents.get(v.residentId)!.gridCode.startsWith(c.code));
      const shops = data.businesses.filter((b) => b.gridCode.startsWith(c.code));
      const rows = {
        F01: here.filter((r) => isF01(r, today)).length,
        F02: here.filter((r) => isF02(r, today)).length,
        F03: here.filter(isF03).length,
        F04: visits.filter((v) => v.visitDate.startsWith(thisMonth)).length,
        F05: here.filter((r) => r.disabilityCategory !== null).length,
        F06: here.filter((r) => r.enlistmentDate !== null).length,
        F07: here.filter((r) => r.registrationType === '2').length,
        F08: shops.length,
        'F08 licensed': shops.filter((b) => b.creditCode !== null).length,
        'F08 street vendors': shops.filter((b) => b.creditCode === null && b.operatingMode === '3').length,
      };
      const empty = Object.entries(rows).filter(([, n]) => n === 0).map(([form]) => form);
      expect({ community: c.name, empty }).toEqual({ community: c.name, empty: [] });
    }
    // visits: this month and the two before, never after today, by the grid's 网格员, to key-group people
    const perMonth = new Map<string, number>();
    const p = new Problems();
    for (const v of data.visits) {
      const r = residents.get(v.residentId)!;
      const at = (rule: string) => (): string => `visit ${v.id} on ${v.visitDate}: ${rule}`;
      p.check(v.visitDate <= today && v.visitDate >= r.registeredOn, at('date'));
      const [vy, vm] = v.visitDate.split('-').map(Number);
      p.check(y * 12 + m - (vy * 12 + vm) <= 2, at('within this and the two previous months'));
      p.check(isF01(r, v.visitDate) || isF02(r, v.visitDate) || isF03(r), at('key group on the visit date'));
      const worker = staff.find((s) => s.id === v.staffId);
      p.check(worker?.staffDuty === '1' && worker.orgUnitCode === r.gridCode, at("the grid's 网格员"));
      p.check(v.problemsFound === null ? v.disposition === '3' : v.disposition !== '3', at('disposition'));
      const key = `${v.residentId}|${v.visitDate.slice(0, 7)}`;
      perMonth.set(key, (perMonth.get(key) ?? 0) + 1);
    }
    expect(p.list).toEqual([]);
    expect(Math.max(...perMonth.values())).toBeLessThanOrEqual(2);
  });

  it('has businesses of about 2% of residents, run by adults of the same community', () => {
    const residents = new Map(data.residents.map((r) => [r.id, r]));
    expect(data.businesses.length / data.residents.length).toBeGreaterThan(0.015);
    expect(data.businesses.length / data.residents.length).toBeLessThan(0.03);
    expect(new Set(data.businesses.map((b) => b.operatorId)).size).toBe(data.businesses.length);
    const credit = data.businesses.flatMap((b) => (b.creditCode ? [b.creditCode] : []));
    expect(new Set(credit).size).toBe(credit.length);
    const p = new Problems();
    for (const b of data.businesses) {
      const op = residents.get(b.operatorId)!;
      const at = (rule: string): string => `business ${b.id} (${b.businessName}): ${rule}`;
      p.check(ageAt(op, today) >= 18, at('adult operator'));
      p.check(op.gridCode.slice(0, 12) === b.gridCode.slice(0, 12), at('operator of the same community'));
      p.check(b.creditCode === null || creditCodeValid(b.creditCode), at('valid credit code'));
      if (b.operatingMode === '3') p.check(b.creditCode === null && b.frontDoorPledgeSigned === null, at('street vendor'));
      p.check(b.businessAddress.startsWith('重庆市'), at('address'));
    }
    expect(p.list).toEqual([]);
  });

  it('mixes the population like a real community', () => {
    const n = data.residents.length;
    const share = (f: (r: ResidentRow) => boolean): number => data.residents.filter(f).length / n;
    expect(share((r) => r.registrationType === '2')).toBeGreaterThan(0.1);
    expect(share((r) => r.registrationType === '2')).toBeLessThan(0.2);
    expect(share((r) => r.disabilityCategory !== null)).toBeGreaterThan(0.04);
    expect(share((r) => r.disabilityCategory !== null)).toBeLessThan(0.08);
    expect(share((r) => r.enlistmentDate !== null)).toBeGreaterThan(0.02);
    expect(share((r) => r.enlistmentDate !== null)).toBeLessThan(0.045);
    const veterans = data.residents.filter((r) => r.enlistmentDate !== null);
    expect(veterans.filter(isMale).length / veterans.length).toBeGreaterThan(0.85);
    expect(share((r) => ageAt(r, today) >= 60)).toBeGreaterThan(0.15);
    expect(share((r) => ageAt(r, today) >= 60)).toBeLessThan(0.3);
    expect(share(isMale)).toBeGreaterThan(0.45);
    expect(share(isMale)).toBeLessThan(0.55);
  });
});
