import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import { type Dictionary, type EntityName, storedFieldsOf } from '../dictionary/dictionary.types.js';
import type { Values } from '../dictionary/field-validator.js';
import { ENTITY_NAMES, type LedgerRow, propertyOf, recordFacts } from '../ledger/entities/ledger.entities.js';
import { ResidentRepository } from '../ledger/resident.repository.js';
import type { ConflictChoice, WriteOp } from './import.types.js';
import type { LedgerSnapshot } from './ledger-snapshot.js';

/**
 * Carries out an import's row plans inside the commit's transaction: creates, fills, and for conflicts the user's
 * choice (keep the ledger's value or take the file's). Every change is audited with source "import" in the same
 * transaction. A record changed by someone else since the snapshot stops the whole import (nothing half-written).
 */
@Injectable()
export class ImportWriter {
  constructor(
    private readonly residents: ResidentRepository,
    private readonly audit: AuditService,
    @Inject(DICTIONARY) private readonly dict: Dictionary,
  ) {}

  async apply(manager: EntityManager, viewer: Viewer, snapshot: LedgerSnapshot, ops: WriteOp[], choice: ConflictChoice, today: string, onProgress?: (rows: number) => void): Promise<number> {
    const creates = ops.filter((op): op is Extract<WriteOp, { entity: 'resident' }> => op.entity === 'resident' && op.id === null);
    let changed = await this.createResidents(manager, viewer, snapshot, creates, today, onProgress);
    for (const [i, op] of ops.entries()) {
      if (op.entity === 'resident' && op.id === null) continue;
      if (i % 500 === 0) onProgress?.(changed);
      const values = choice === 'take' ? { ...op.values, ...op.conflicts } : op.values;
      if (Object.keys(values).length === 0 && op.id !== null) continue;
      if (op.entity === 'resident') await this.resident(manager, viewer, snapshot, op, values);
      else if (op.entity === 'business') await this.business(manager, viewer, snapshot, op, values);
      else await this.record(manager, viewer, 'visit', op.id, op.version, { ...values, residentId: op.residentId, staffId: op.staffId });
      changed++;
    }
    return changed;
  }

  /** New residents, ~500 per round of statements: their households, the residents, their audit lines. */
  private async createResidents(manager: EntityManager, viewer: Viewer, snapshot: LedgerSnapshot, ops: Extract<WriteOp, { entity: 'resident' }>[], today: string, onProgress?: (rows: number) => void): Promise<number> {
    for (let start = 0; start < ops.length; start += 500) {
      const rows = ops.slice(start, start + 500).map((op) => ({ op, grid: op.gridCode!, values: op.values, ...this.split(op.values) }));
      const addressed = rows.filter((r) => typeof r.values.currentAddress === 'string');
      const households = await this.residents.ensureHouseholds(manager, addressed.map((r) => ({ gridCode: r.grid, currentAddress: r.values.currentAddress })));
      const householdOf = (r: (typeof rows)[number]) => (typeof r.values.currentAddress === 'string' ? households.get(`${r.grid}|${r.values.currentAddress}`)! : null);
      for (const r of addressed) {
        const { currentAddress: _, ...other } = r.household;
        if (Object.keys(other).length) await this.residents.updateHousehold(manager, householdOf(r)!, other);
      }
      const ids = await this.residents.insertResidents(manager, rows.map((r) => ({ registeredOn: today, ...r.resident, gridCode: r.grid, householdId: householdOf(r) })));
      for (const r of rows) {
        const householdId = householdOf(r);
        if (householdId) snapshot.households.set(`${r.grid}|${r.values.currentAddress}`, householdId);
        snapshot.residents.set(r.op.idNumber, { id: ids.get(r.op.idNumber)!, version: 1, gridCode: r.grid, householdId, facts: { ...r.values } });
      }
      await this.audit.recordChanges(manager, viewer, 'resident', rows.map((r) => ({ recordId: ids.get(r.op.idNumber)!, before: null, after: { gridCode: r.grid, ...r.values } })));
      onProgress?.(start + rows.length);
    }
    return ops.length;
  }

  private split(values: Values): { resident: LedgerRow; household: LedgerRow } {
    const resident: LedgerRow = {};
    const household: LedgerRow = {};
    for (const f of storedFieldsOf(this.dict, 'resident', 'household')) {
      if (f.key in values) (f.entity === 'household' ? household : resident)[propertyOf(f)] = values[f.key];
    }
    return { resident, household };
  }

  /** An existing resident: fills, and the file's values for conflicts when taken (a new grid or address moves them). */
  private async resident(manager: EntityManager, viewer: Viewer, snapshot: LedgerSnapshot, op: Extract<WriteOp, { entity: 'resident' }>, input: Values): Promise<void> {
    const { gridCode: moveTo, ...values } = input as Values & { gridCode?: string };
    const { resident, household: householdValues } = this.split(values);
    const stored = snapshot.residents.get(op.idNumber)!;
    const id = op.id!;
    const grid = moveTo ?? stored.gridCode;
    let householdId = stored.householdId;
    if (moveTo || 'currentAddress' in householdValues) {
      const address = String(values.currentAddress ?? stored.facts.currentAddress);
      householdId = (await this.residents.findOrCreateHousehold(manager, grid, address)).id;
      delete householdValues.currentAddress;
    }
    if (Object.keys(householdValues).length && householdId) await this.residents.updateHousehold(manager, householdId, householdValues);
    if (!(await this.residents.updateResident(manager, id, op.version!, { ...resident, gridCode: grid, householdId }))) {
      throw new ConflictError(`居民 ${stored.facts.name ?? ''}（导入期间已被他人修改，请重新上传预览）`, op.version! + 1, op.version!);
    }
    if (householdId !== stored.householdId && stored.householdId) await this.residents.deleteHouseholdIfEmpty(manager, stored.householdId);
    const after = { ...stored.facts, ...values, gridCode: grid };
    await this.audit.recordChange(manager, viewer, 'resident', id, { ...stored.facts, gridCode: stored.gridCode }, after);
  }

  private async business(manager: EntityManager, viewer: Viewer, snapshot: LedgerSnapshot, op: Extract<WriteOp, { entity: 'business' }>, values: Values): Promise<void> {
    const { operator, ...rest } = values;
    const fields: Values = { ...rest };
    if (op.operator) {
      let resident = snapshot.residents.get(op.operator.idNumber);
      if (!resident) {
        // Registered with what the row says, nothing invented: no address, so no household yet.
        const facts = { idNumber: op.operator.idNumber, name: op.operator.name, phone: op.operator.phone };
        const id = await this.residents.insertResident(manager, { ...facts, gridCode: op.gridCode, householdId: null });
        resident = { id, version: 1, gridCode: op.gridCode!, householdId: null, facts };
        snapshot.residents.set(op.operator.idNumber, resident);
        await this.audit.recordChange(manager, viewer, 'resident', id, null, { gridCode: op.gridCode, ...facts });
      }
      if (operator !== undefined || op.id === null) fields.operatorId = resident.id;
    }
    if (op.id === null && op.gridCode) fields.gridCode = op.gridCode;
    await this.record(manager, viewer, 'business', op.id, op.version, fields);
  }

  /** Inserts or updates a visit or business (version-checked), auditing its fields before and after. */
  private async record(manager: EntityManager, viewer: Viewer, entity: EntityName, id: number | null, version: number | null, values: Values): Promise<void> {
    const name = ENTITY_NAMES[entity as keyof typeof ENTITY_NAMES];
    const row: LedgerRow = {};
    for (const f of storedFieldsOf(this.dict, entity)) if (f.key in values) row[propertyOf(f)] = values[f.key];
    for (const link of ['gridCode', 'residentId', 'staffId', 'operatorId']) if (link in values) row[link] = values[link];
    const repo = manager.getRepository<LedgerRow>(name);
    if (id === null) {
      const result = await manager.createQueryBuilder().insert().into(name).values({ ...row, version: 1 }).execute();
      const created = (await repo.findOne({ where: { id: result.identifiers[0].id } }))!;
      await this.audit.recordChange(manager, viewer, entity, created.id, null, recordFacts(this.dict, entity, created));
      return;
    }
    const before = (await repo.findOne({ where: { id } }))!;
    const updated = await manager.createQueryBuilder().update(name).set(row).where('id = :id AND version = :version', { id, version }).execute();
    if (updated.affected !== 1) throw new ConflictError(`导入期间该${entity === 'visit' ? '走访记录' : '商户'}已被他人修改，请重新上传预览`, version! + 1, version!);
    const after = (await repo.findOne({ where: { id } }))!;
    await this.audit.recordChange(manager, viewer, entity, id, recordFacts(this.dict, entity, before), recordFacts(this.dict, entity, after));
  }
}
