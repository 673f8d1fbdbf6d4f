import {
  createRng,
  demoOrgUnits,
  demoStaff,
  generateCommunity,
  generateDemo,
  type BusinessRow,
  type HouseholdRow,
  type OrgUnitRow,
  type ResidentRow,
  type VisitRow,
} from '../../../src/seed/generator/index.js';
import { idCheck } from '../../../src/seed/generator/identifiers.js';
import { idCheckCharacter } from '../../../src/identity/id-number.js';
import {
  birthDateOf,
  collect,
  creditCodeValid,
  idNumberValid,
  Problems,
  type Data,
} from './generator-helpers.js';

const TODAY = '2026-11-25';
const SEED = 20261125;

const orgUnits = demoOrgUnits();
const staff = demoStaff(orgUnits);
const communities = orgUnits.filter((u) => u.level === 'community');
let data: Data;

beforeAll(() => {
  data = collect(generateDemo({ seed: SEED, today: TODAY }));
});

const MOBILE = /^1[3-9]\d{9}$/;

describe('createRng', () => {
  it('is deterministic, in [0, 1), and depends on the seed', () => {
    const a = createRng(1);
    const b = createRng(1);
    const c = createRng(2);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });
});

describe('org units and staff', () => {
  it('has the real places, invented ones around them, and well-formed codes', () => {
    const byCode = new Map(orgUnits.map((u) => [u.code, u]));
    expect(byCode.get('500106000000')).toMatchObject({ name: '沙坪坝区', level: 'district', parentCode: null });
    expect(byCode.get('500113000000')).toMatchObject({ name: '巴南区', level: 'district', parentCode: null });
    expect(byCode.get('500106108000')).toMatchObject({ name: '陈家桥街道', level: 'street' });
    expect(byCode.get('500106108001')).toMatchObject({ name: '桥北社区', parentCode: '500106108000' });
    expect(byCode.get('500106108001001')).toMatchObject({ name: '第一网格', level: 'grid' });
    const tuqiao = orgUnits.find((u) => u.name === '土桥正街社区')!;
    expect(byCode.get(tuqiao.parentCode!)!.name).toBe('花溪街道');
    expect(byCode.get(byCode.get(tuqiao.parentCode!)!.parentCode!)!.code).toBe('500113000000');

    const of = (level: OrgUnitRow['level']): OrgUnitRow[] => orgUnits.filter((u) => u.level === level);
    expect(of('district')).toHaveLength(2);
    expect(of('street').length).toBeGreaterThanOrEqual(3);
    expect(of('community').length).toBeGreaterThanOrEqual(6);
    for (const s of of('street')) {
      expect(s.code).toMatch(/^\d{9}000$/);
      expect(s.code.slice(0, 6) + '000000').toBe(s.parentCode);
      expect(orgUnits.filter((u) => u.parentCode === s.code).length).toBeGreaterThanOrEqual(2);
    }
    for (const c of of('community')) {
      expect(c.code).toMatch(/^\d{12}$/);
      expect(c.code.slice(0, 9) + '000').toBe(c.parentCode);
      expect(c.name).toMatch(/社区$/);
      const grids = orgUnits.filter((u) => u.parentCode === c.code);
      expect(grids.map((g) => g.name)).toEqual(['第一网格', '第二网格', '第三网格', '第四网格']);
      expect(grids.map((g) => g.code)).toEqual([1, 2, 3, 4].map((i) => `${c.code}00${i}`));
    }
    expect(new Set(orgUnits.map((u) => u.code)).size).toBe(orgUnits.length);
  });

  it('has one 网格员 per grid (夏雪 in 桥北社区第一网格) and two 社区干部 per community', () => {
    for (const g of orgUnits.filter((u) => u.level === 'grid')) {
      expect(staff.filter((s) => s.orgUnitCode === g.code && s.staffDuty === '1')).toHaveLength(1);
    }
    for (const c of communities) {
      expect(staff.filter((s) => s.orgUnitCode === c.code && s.staffDuty === '2')).toHaveLength(2);
    }
    expect(staff.find((s) => s.orgUnitCode === '500106108001001')!.staffName).toBe('夏雪');
    expect(staff.every((s) => MOBILE.test(s.staffPhone))).toBe(true);
    expect(staff.map((s) => s.id)).toEqual(staff.map((_, i) => i + 1));
    expect(demoStaff(demoOrgUnits())).toEqual(staff);
  });
});

describe('determinism and streaming', () => {
  it('gives the same rows for the same seed and different rows for another seed', () => {
    const again = collect(generateDemo({ seed: SEED, today: TODAY }));
    expect(again).toEqual(data);
    const other = collect(generateDemo({ seed: SEED + 1, today: TODAY }));
    expect(other.residents.map((r) => r.idNumber)).not.toEqual(data.residents.map((r) => r.idNumber));
    expect(other.residents.map((r) => r.name)).not.toEqual(data.residents.map((r) => r.name));
  });

  it('yields small batches in dependency order and hands on the next ids', () => {
    const [community] = communities;
    const grids = orgUnits.filter((u) => u.parentCode === community.code);
    const firstIds = { household: 101, resident: 1001, visit: 51, business: 7 };
    const gen = generateCommunity({ community, grids, staff, residents: 5000, seed: 3, today: TODAY, firstIds });
    const seenHouseholds = new Set<number>();
    const seenResidents = new Set<number>();
    let phase = 0;
    const p = new Problems();
    let step = gen.next();
    const counts = { households: 0, residents: 0, visits: 0, businesses: 0 };
    while (!step.done) {
      const batch = step.value;
      const [key, rows] = Object.entries(batch)[0] as [keyof typeof counts, { id: number }[]];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(2000);
      counts[key] += rows.length;
      if (key === 'households') for (const h of rows as HouseholdRow[]) seenHouseholds.add(h.id);
      if (key === 'residents') {
        p.check(phase === 0, 'residents after visits or businesses');
        for (const r of rows as ResidentRow[]) {
          p.check(seenHouseholds.has(r.householdId), `resident ${r.id} before its household`);
          seenResidents.add(r.id);
        }
      }
      if (key === 'visits') {
        phase = 1;
        for (const v of rows as VisitRow[]) p.check(seenResidents.has(v.residentId), `visit ${v.id} before its resident`);
      }
      if (key === 'businesses') {
        phase = 1;
        for (const b of rows as BusinessRow[]) p.check(seenResidents.has(b.operatorId), `business ${b.id} before its operator`);
      }
      step = gen.next();
    }
    expect(p.list).toEqual([]);
    expect(counts.residents).toBe(5000);
    expect(step.value).toEqual({
      household: 101 + counts.households,
      resident: 1001 + 5000,
      visit: 51 + counts.visits,
      business: 7 + counts.businesses,
    });
    expect(Math.min(...seenResidents)).toBe(1001);
    expect(Math.max(...seenResidents)).toBe(6000);
  });
});

describe('identifiers', () => {
  it('gives every resident a valid ID number: real birth date in 1925..2024, not after today, sex by sequence', () => {
    const p = new Problems();
    for (const r of data.residents) {
      const year = Number(birthDateOf(r).slice(0, 4));
      p.check(idNumberValid(r.idNumber, TODAY) && year >= 1925 && year <= 2024, `resident ${r.id}: ${r.idNumber}`);
      // 户籍人口 are registered in Chongqing (50…), 流动人口 elsewhere
      p.check((r.registrationType === '2') !== r.idNumber.startsWith('50'), `resident ${r.id}: ${r.idNumber} of type ${r.registrationType}`);
    }
    expect(p.list).toEqual([]);
    // the generator's own fast check character agrees with the identity module's
    for (const r of data.residents.slice(0, 500)) expect(idCheck(r.idNumber.slice(0, 17))).toBe(idCheckCharacter(r.idNumber.slice(0, 17)));
  });

  it('keeps ID numbers unique over 200,000 residents, and credit codes valid and unique', () => {
    const ids = new Set<string>();
    const codes = new Set<string>();
    let residents = 0;
    let licensed = 0;
    for (const batch of generateDemo({ seed: 99, today: TODAY, residents: 200_000 })) {
      if ('residents' in batch) {
        for (const r of batch.residents) {
          ids.add(r.idNumber);
          residents++;
        }
      }
      if ('businesses' in batch) {
        for (const b of batch.businesses) {
          if (b.creditCode === null) continue;
          if (!creditCodeValid(b.creditCode)) throw new Error(`invalid credit code ${b.creditCode}`);
          codes.add(b.creditCode);
          licensed++;
        }
      }
    }
    expect(residents).toBe(200_000);
    expect(ids.size).toBe(200_000);
    expect(licensed).toBeGreaterThan(2000);
    expect(codes.size).toBe(licensed);
    // spot-check the check characters of a sample (the full set is checked on the default data)
    const invalid = [...ids].filter((id, i) => i % 37 === 0 && !idNumberValid(id, TODAY));
    expect(invalid).toEqual([]);
  });
});
