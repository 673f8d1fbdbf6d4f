import type { DataSource, EntityManager } from 'typeorm';
import { creditCodeCheckCharacter, idCheckCharacter } from '../../src/identity/index.js';

export const DISTRICT = '500106000000';
export const STREET = '500106108000';
export const COMMUNITY = '500106108001';
export const GRID = '500106108001001';
export const GRID_2 = '500106108001002';
export const OTHER_COMMUNITY = '500106108002';
export const OTHER_GRID = '500106108002001';

/** A small org hierarchy and two staff members, written through SQL the way the seed writes (in one transaction). */
export function insertOrgFixture(ds: DataSource): Promise<{ gridWorkerId: number; cadreId: number }> {
  return ds.transaction((m) => insertOrgUnits(m));
}

async function insertOrgUnits(ds: EntityManager): Promise<{ gridWorkerId: number; cadreId: number }> {
  const units: [string, string, string, string | null, number][] = [
    [DISTRICT, '沙坪坝区', 'district', null, 1],
    [STREET, '陈家桥街道', 'street', DISTRICT, 1],
    [COMMUNITY, '桥北社区', 'community', STREET, 1],
    [GRID, '第一网格', 'grid', COMMUNITY, 1],
    [GRID_2, '第二网格', 'grid', COMMUNITY, 2],
    [OTHER_COMMUNITY, '测试社区', 'community', STREET, 2],
    [OTHER_GRID, '第一网格', 'grid', OTHER_COMMUNITY, 1],
  ];
  const p = ds.connection.options.type === 'postgres' ? (i: number) => `$${i}` : () => '?';
  for (const u of units) {
    await ds.query(`INSERT INTO org_units (code, name, level, parent_code, sort_order) VALUES (${[1, 2, 3, 4, 5].map(p).join(', ')})`, u);
  }
  const staff = ds.getRepository('Staff');
  const worker = await staff.save({ orgUnitCode: GRID, staffName: '夏雪', staffPhone: '13800000001', staffDuty: '1' });
  const cadre = await staff.save({ orgUnitCode: COMMUNITY, staffName: '李升俊', staffPhone: '13800000002', staffDuty: '2' });
  return { gridWorkerId: worker.id, cadreId: cadre.id };
}

/** A valid ID number for a division, birth date (yyyymmdd) and sequence (odd = male). */
export function idNumber(division: string, birth: string, sequence: number): string {
  const first17 = `${division}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckCharacter(first17);
}

export function creditCode(first17: string): string {
  return first17 + creditCodeCheckCharacter(first17);
}

export async function countRows(ds: DataSource, table: string): Promise<number> {
  const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM "${table}"`);
  return Number(n);
}
