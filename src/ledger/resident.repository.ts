import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';

/** All SQL on residents and the households they live in. */
@Injectable()
export class ResidentRepository {
  constructor(private readonly dataSource: DataSource) {}

  private residents(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository<LedgerRow>(ENTITY_NAMES.resident);
  }

  private households(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository<LedgerRow>(ENTITY_NAMES.household);
  }

  findByIdNumber(idNumber: string, manager?: EntityManager): Promise<LedgerRow | null> {
    return this.residents(manager).findOne({ where: { idNumber } });
  }

  findById(id: number, manager?: EntityManager): Promise<LedgerRow | null> {
    return this.residents(manager).findOne({ where: { id } });
  }

  findByIds(ids: number[]): Promise<LedgerRow[]> {
    return ids.length ? this.residents().createQueryBuilder('r').where('r.id IN (:...ids)', { ids }).getMany() : Promise.resolve([]);
  }

  findByHousehold(householdId: number): Promise<LedgerRow[]> {
    return this.residents().find({ where: { householdId }, order: { id: 'ASC' } });
  }

  findHousehold(id: number, manager?: EntityManager): Promise<LedgerRow | null> {
    return this.households(manager).findOne({ where: { id } });
  }

  findHouseholdsInGrid(gridCode: string, afterId: number, limit: number): Promise<LedgerRow[]> {
    return this.households()
      .createQueryBuilder('h')
      .where('h.gridCode = :gridCode AND h.id > :afterId', { gridCode, afterId })
      .orderBy('h.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The household at an address in a grid, created if there is none (safe against a concurrent create). */
  async findOrCreateHousehold(manager: EntityManager, gridCode: string, currentAddress: string): Promise<LedgerRow> {
    await manager.createQueryBuilder().insert().into(ENTITY_NAMES.household).values({ gridCode, currentAddress }).orIgnore().execute();
    return (await this.households(manager).findOne({ where: { gridCode, currentAddress } }))!;
  }

  async insertResident(manager: EntityManager, values: LedgerRow): Promise<number> {
    const result = await manager.createQueryBuilder().insert().into(ENTITY_NAMES.resident).values(values).execute();
    return result.identifiers[0].id as number;
  }

  /** Optimistic update: changes apply only if the row is still at `expectedVersion`. Returns whether it did. */
  async updateResident(manager: EntityManager, id: number, expectedVersion: number, values: LedgerRow): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(ENTITY_NAMES.resident)
      .set(values)
      .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
      .execute();
    return result.affected === 1;
  }

  async updateHousehold(manager: EntityManager, id: number, values: LedgerRow, expectedVersion?: number): Promise<boolean> {
    const qb = manager.createQueryBuilder().update(ENTITY_NAMES.household).set(values).where('id = :id', { id });
    if (expectedVersion !== undefined) qb.andWhere('version = :expectedVersion', { expectedVersion });
    return (await qb.execute()).affected === 1;
  }

  countResidents(): Promise<number> {
    return this.residents().count();
  }
}
