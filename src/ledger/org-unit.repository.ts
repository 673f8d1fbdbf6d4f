import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import type { CodeRange } from '../access/access-policy.js';
import { ENTITY_NAMES } from './entities/ledger.entities.js';

export type OrgLevel = 'district' | 'street' | 'community' | 'grid';

export interface OrgUnit {
  code: string;
  name: string;
  level: OrgLevel;
  parentCode: string | null;
  sortOrder: number;
}

/** All SQL on org units. */
@Injectable()
export class OrgUnitRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository<OrgUnit>(ENTITY_NAMES.orgUnit);
  }

  findByCode(code: string, manager?: EntityManager): Promise<OrgUnit | null> {
    return this.repo(manager).findOne({ where: { code } });
  }

  findByCodes(codes: string[]): Promise<OrgUnit[]> {
    return codes.length ? this.repo().createQueryBuilder('o').where('o.code IN (:...codes)', { codes }).getMany() : Promise.resolve([]);
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
