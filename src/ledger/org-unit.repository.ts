import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import type { CodeRange } from '../access/access-policy.js';
import { dialectFor, type SqlDialect } from '../views/sql-dialect.js';
import { ENTITY_NAMES } from './entities/ledger.entities.js';

export type OrgLevel = 'district' | 'street' | 'community' | 'grid';

export interface OrgUnit {
  code: string;
  name: string;
  level: OrgLevel;
  parentCode: string | null;
  sortOrder: number;
}

const SELECT_UNIT = 'SELECT code, name, level, parent_code, sort_order FROM org_units';

function toOrgUnit(r: Record<string, unknown>): OrgUnit {
  return { code: r.code as string, name: r.name as string, level: r.level as OrgLevel, parentCode: (r.parent_code as string | null) ?? null, sortOrder: Number(r.sort_order) };
}

/** All SQL on org units. */
@Injectable()
export class OrgUnitRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  private repo(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository<OrgUnit>(ENTITY_NAMES.orgUnit);
  }

  // Every view and every pull looks units up by code (twice a page: the unit, then the title's lineage), so these
  // two are plain SQL: the ORM's query building costs more than the lookup itself.
  async findByCode(code: string, manager: EntityManager = this.dataSource.manager): Promise<OrgUnit | null> {
    const [unit] = await manager.query(`${SELECT_UNIT} WHERE code = ${this.param(1)}`, [code]);
    return unit ? toOrgUnit(unit) : null;
  }

  async findByCodes(codes: string[]): Promise<OrgUnit[]> {
    if (!codes.length) return [];
    const rows: Record<string, unknown>[] = await this.dataSource.query(`${SELECT_UNIT} WHERE code IN (${codes.map((_, i) => this.param(i + 1)).join(', ')})`, codes);
    return rows.map(toOrgUnit);
  }

  private param(n: number): string {
    return this.dialect.param(n);
  }

  children(parentCode: string | null): Promise<OrgUnit[]> {
    return this.repo().find({ where: { parentCode: parentCode ?? IsNull() }, order: { sortOrder: 'ASC', code: 'ASC' } });
  }

  /** The unit and its ancestors, nearest first: one query, since every ancestor's code is a prefix of the unit's. */
  async lineage(code: string): Promise<OrgUnit[]> {
    const candidates = [code, `${code.slice(0, 12)}`, `${code.slice(0, 9)}000`, `${code.slice(0, 6)}000000`];
    const units = new Map((await this.findByCodes([...new Set(candidates)])).map((u) => [u.code, u]));
    const chain: OrgUnit[] = [];
    for (let next = units.get(code); next; next = next.parentCode ? units.get(next.parentCode) : undefined) chain.push(next);
    return chain;
  }

  /**
   * Communities (or grids) within a granted code range, in the hierarchy's order: by street, community and
   * grid sort order. Each carries its parent's name.
   */
  async unitsUnder(range: CodeRange, level: 'street' | 'community' | 'grid'): Promise<(OrgUnit & { parentName: string })[]> {
    const all = await this.repo()
      .createQueryBuilder('o')
      .where('o.code >= :from AND o.code < :to', { from: range.from, to: range.to })
      .getMany();
    const byCode = new Map(all.map((u) => [u.code, u]));
    const path = (u: OrgUnit): (number | string)[] => {
      const parent = u.parentCode ? byCode.get(u.parentCode) : undefined;
      return [...(parent ? path(parent) : []), u.sortOrder, u.code];
    };
    const compare = (a: (number | string)[], b: (number | string)[]) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (a[i] !== b[i]) return typeof a[i] === 'number' ? (a[i] as number) - (b[i] as number) : String(a[i]).localeCompare(String(b[i]));
      }
      return a.length - b.length;
    };
    return all
      .filter((u) => u.level === level)
      .map((u) => ({ unit: u, key: path(u) }))
      .sort((a, b) => compare(a.key, b.key))
      .map(({ unit }) => ({ ...unit, parentName: (unit.parentCode && byCode.get(unit.parentCode)?.name) || '' }));
  }

  count(): Promise<number> {
    return this.repo().count();
  }
}
