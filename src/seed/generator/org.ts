// Org units (district → street → community → grid) and their staff.
import { fullName, mobile } from './names.js';
import { DISTRICTS, GRID_NAMES } from './places.js';
import { createRng, deriveSeed, Dice } from './rng.js';
import type { OrgUnitRow, StaffRow } from './types.js';

/** 2 districts, 4 streets, 8 communities, 32 grids (see places.ts for which are real and which invented). */
export function demoOrgUnits(): OrgUnitRow[] {
  const rows: OrgUnitRow[] = [];
  DISTRICTS.forEach((district, di) => {
    rows.push({ code: district.code, name: district.name, level: 'district', parentCode: null, sortOrder: di + 1 });
    district.streets.forEach((street, si) => {
      rows.push({ code: street.code, name: street.name, level: 'street', parentCode: district.code, sortOrder: si + 1 });
      street.communities.forEach((community, ci) => {
        rows.push({ code: community.code, name: community.name, level: 'community', parentCode: street.code, sortOrder: ci + 1 });
        GRID_NAMES.forEach((gridName, gi) => {
          rows.push({
            code: community.code + String(gi + 1).padStart(3, '0'),
            name: gridName,
            level: 'grid',
            parentCode: community.code,
            sortOrder: gi + 1,
          });
        });
      });
    });
  });
  return rows;
}

/** Staff named in the news report, by org unit code and duty. */
const NAMED: Record<string, { name: string; duty: '1' | '2' }> = {
  // 桥北社区第一网格的网格员夏雪
  '500106108001001': { name: '夏雪', duty: '1' },
  // 土桥正街社区党总支书记、居委会主任李升俊
  '500113005001': { name: '李升俊', duty: '2' },
};

/**
 * One 网格员 per grid and two 社区干部 per community, in org-unit order (each community's grid workers, then
 * its cadres); ids from 1. Deterministic: depends only on the org unit codes.
 */
export function demoStaff(orgUnits: OrgUnitRow[]): StaffRow[] {
  const staff: StaffRow[] = [];
  const communities = orgUnits.filter((u) => u.level === 'community');
  for (const community of communities) {
    const dice = new Dice(createRng(deriveSeed(20240811, community.code)));
    const used = new Set<string>();
    const person = (unitCode: string, duty: '1' | '2', index: number): void => {
      const named = NAMED[unitCode];
      let name: string;
      if (named && named.duty === duty && index === 0) {
        name = named.name;
      } else {
        do {
          // community workers are mostly in their 20s–50s, more women than men
          name = fullName(dice, dice.chance(0.4), dice.int(1968, 1998));
        } while (used.has(name) || Object.values(NAMED).some((n) => n.name === name));
      }
      used.add(name);
      staff.push({ id: staff.length + 1, orgUnitCode: unitCode, staffName: name, staffPhone: mobile(dice), staffDuty: duty });
    };
    const grids = orgUnits
      .filter((u) => u.level === 'grid' && u.parentCode === community.code)
      .sort((a, b) => a.sortOrder - b.sortOrder);
    for (const grid of grids) person(grid.code, '1', 0);
    person(community.code, '2', 0);
    person(community.code, '2', 1);
  }
  return staff;
}
