import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
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

  /** The unit and its ancestors, nearest first. */
  async lineage(code: string): Promise<OrgUnit[]> {
    const chain: OrgUnit[] = [];
    for (let next: string | null = code; next; ) {
      const unit = await this.findByCode(next);
      if (!unit) break;
      chain.push(unit);
      next = unit.parentCode;
    }
    return chain;
  }

  /** Communities whose codes start with a prefix, in their streets' order and then their own. */
  async communitiesUnder(prefix: string): Promise<OrgUnit[]> {
    const all = await this.repo()
      .createQueryBuilder('o')
      .where("o.level IN ('street', 'community') AND o.code >= :from AND o.code < :to", { from: prefix, to: `${prefix}:` })
      .getMany();
    const street = new Map(all.filter((u) => u.level === 'street').map((u) => [u.code, u.sortOrder]));
    return all
      .filter((u) => u.level === 'community')
      .sort((a, b) => (street.get(a.parentCode!) ?? 0) - (street.get(b.parentCode!) ?? 0) || a.parentCode!.localeCompare(b.parentCode!) || a.sortOrder - b.sortOrder || a.code.localeCompare(b.code));
  }

  count(): Promise<number> {
    return this.repo().count();
  }
}
