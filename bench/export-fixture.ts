import { ageOn } from '../src/identity/index.js';
import { fullName, mobile } from '../src/seed/generator/names.js';
import { makeIdNumber } from '../src/seed/generator/identifiers.js';
import { createRng, Dice } from '../src/seed/generator/rng.js';
import { addDays, fromDayNumber, toDayNumber } from '../src/seed/generator/dates.js';

// F01 needs one community full of residents aged 60+ who live alone: the demo generator makes a few percent of
// those, so the export benchmark writes its own, deterministically, with every F01 column filled as people would.

export const COMMUNITY = '500106108001'; // 桥北社区
export const GRIDS = ['第一网格', '第二网格', '第三网格', '第四网格'];
const FIRST_BIRTH = toDayNumber('1930-01-01');
const BIRTH_DAYS = toDayNumber('1964-12-31') - FIRST_BIRTH + 1;
const HEALTH = [['1', '健康'], ['2', '基本健康'], ['3', '不健康但生活能自理'], ['4', '生活不能自理']] as const;
const RELATION = [['1', '子女'], ['3', '亲属'], ['4', '邻居'], ['9', '其他']] as const;
const REMARKS = ['子女在外地工作', '有慢性病，需定期随访', '=独居，邻居照应', '行动不便'];

export interface ElderlyResident {
  id: number;
  grid: number;
  idNumber: string;
  name: string;
  birthDate: string;
  male: boolean;
  phone: string;
  address: string;
  health: (typeof HEALTH)[number];
  contactName: string;
  relation: (typeof RELATION)[number];
  contactPhone: string;
  benefits: [boolean, boolean, boolean];
  visitDate: string | null;
  remarks: string | null;
}

/** Resident number `i` (0-based) of the fixture: the same every time. */
export function elderlyResident(i: number, today: string): ElderlyResident {
  const dice = new Dice(createRng(0x5eed + i));
  // Birth dates cycle through 1930–1964; the sequence number counts the cycles, so ID numbers never repeat.
  const birthDate = fromDayNumber(FIRST_BIRTH + ((i * 7919) % BIRTH_DAYS));
  const sequence = String(Math.floor(i / BIRTH_DAYS) * 2 + (i % 2)).padStart(3, '0');
  const male = i % 2 === 1;
  const year = Number(birthDate.slice(0, 4));
  return {
    id: i + 1,
    grid: i % GRIDS.length,
    idNumber: makeIdNumber('500106', birthDate, sequence),
    name: fullName(dice, male, year),
    birthDate,
    male,
    phone: dice.chance(0.3) ? `023-6${String(dice.int(0, 9_999_999)).padStart(7, '0')}` : mobile(dice),
    address: `重庆市沙坪坝区陈家桥街道桥北社区桥北路${Math.floor(i / 40) + 1}号${(i % 40) + 1}室`,
    health: dice.pick(HEALTH),
    contactName: fullName(dice, dice.chance(0.5), year + 28),
    relation: dice.pick(RELATION),
    contactPhone: mobile(dice),
    benefits: [ageOn(birthDate, today) >= 80, dice.chance(0.1), dice.chance(0.03)],
    visitDate: i % 3 === 0 ? addDays(today, -(i % 90)) : null,
    remarks: dice.chance(0.2) ? dice.pick(REMARKS) : null,
  };
}

/** The fixture's rows for the ledger tables (household i+1 holds resident i+1). */
export function ledgerRows(r: ElderlyResident, gridCodes: string[], staffId: number) {
  const gridCode = gridCodes[r.grid];
  return {
    household: { id: r.id, gridCode, currentAddress: r.address, version: 1 },
    resident: {
      id: r.id, idNumber: r.idNumber, name: r.name, gridCode, householdId: r.id, phone: r.phone, livingArrangement: '1', registrationType: '1',
      registeredOn: '2020-01-01', healthStatus: r.health[0], emergencyContactName: r.contactName, emergencyContactRelation: r.relation[0],
      emergencyContactPhone: r.contactPhone, oldAgeAllowance: r.benefits[0], minimumLivingAllowance: r.benefits[1],
      extremePovertySupport: r.benefits[2], remarks: r.remarks, version: 1,
    },
    visit: r.visitDate ? { residentId: r.id, staffId, visitDate: r.visitDate, visitMethod: '1', disposition: '1', version: 1 } : null,
  };
}

/** The F01 row the export should write for this resident (what the baseline writes without the application). */
export function f01Cells(r: ElderlyResident, rowNumber: number, today: string): unknown[] {
  const yesNo = (b: boolean) => (b ? '是' : '否');
  return [
    rowNumber, r.name, r.male ? '男' : '女', r.birthDate, ageOn(r.birthDate, today), r.idNumber, r.phone, r.address, r.health[1],
    r.contactName, r.relation[1], r.contactPhone, ...r.benefits.map(yesNo), r.visitDate, GRIDS[r.grid], r.remarks,
  ];
}

/** Fixture indexes in F01's order: by grid, then birth date (oldest first), then id. */
export function f01Order(count: number): Int32Array {
  // grid × BIRTH_DAYS + birth day: the same order as (grid, birth date)
  const keys = Float64Array.from({ length: count }, (_, i) => (i % GRIDS.length) * BIRTH_DAYS + ((i * 7919) % BIRTH_DAYS));
  return Int32Array.from({ length: count }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
}
