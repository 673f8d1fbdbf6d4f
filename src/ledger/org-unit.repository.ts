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

  count(): Promise<number> {
    return this.repo().count();
  }
}
