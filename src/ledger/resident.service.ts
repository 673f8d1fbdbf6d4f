import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConflictError, DuplicateError, type FieldError, NotFoundError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { uniqueViolation } from '../database/database-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import { type Dictionary, storedFieldsOf } from '../dictionary/dictionary.types.js';
import { validateRecord, type Values } from '../dictionary/field-validator.js';
import { ageOn, parseIdNumber, todayIso } from '../identity/index.js';
import { type LedgerRow, propertyOf } from './entities/ledger.entities.js';
import { ReferenceChecker } from './reference-checker.js';
import { ResidentRepository } from './resident.repository.js';

/** A resident as read back: stored facts, their household's facts and what the ID number says. */
export type ResidentView = LedgerRow & { id: number; version: number; idNumber: string; gridCode: string; age: number | null };

export interface ResidentInput extends Values {
  idNumber?: unknown;
  gridCode?: string | null;
  expectedVersion?: number | null;
}

const INPUT = ['input'];

/** Single entry: creates or updates one resident (and their household) from the one form. */
@Injectable()
export class ResidentService {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly residents: ResidentRepository,
    private readonly references: ReferenceChecker,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async get(rawIdNumber: string): Promise<ResidentView> {
    const parsed = parseIdNumber(rawIdNumber);
    const row = parsed.ok ? await this.residents.findByIdNumber(parsed.value.idNumber) : null;
    if (!row) throw new NotFoundError('未找到该公民身份号码的居民');
    return this.view(row, await this.residents.findHousehold(row.householdId));
  }

  async getById(id: number): Promise<ResidentView | null> {
    const row = await this.residents.findById(id);
    return row ? this.view(row, await this.residents.findHousehold(row.householdId)) : null;
  }

  async membersOf(householdId: number): Promise<ResidentView[]> {
    const household = await this.residents.findHousehold(householdId);
    return (await this.residents.findByHousehold(householdId)).map((row) => this.view(row, household));
  }

  view(row: LedgerRow, household: LedgerRow | null, today = todayIso()): ResidentView {
    const id = parseIdNumber(row.idNumber, '9999-12-31');
    const birthDate = id.ok ? id.value.birthDate : null;
    const householdFields = Object.fromEntries(storedFieldsOf(this.dictionary, 'household').map((f) => [f.key, household?.[f.key] ?? null]));
    return {
      ...row,
      ...householdFields,
      gender: id.ok ? id.value.gender : null,
      birthDate,
      age: birthDate ? ageOn(birthDate, today) : null,
    } as unknown as ResidentView;
  }

  async upsert(input: ResidentInput): Promise<ResidentView> {
    const today = todayIso();
    const { gridCode, expectedVersion, ...fields } = input;
    const parsed = typeof fields.idNumber === 'string' ? parseIdNumber(fields.idNumber, today) : null;
    if (parsed?.ok) fields.idNumber = parsed.value.idNumber;
    try {
      return await this.unitOfWork.run(async (manager) => {
        const stored = parsed?.ok ? await this.residents.findByIdNumber(parsed.value.idNumber, manager) : null;
        const household = stored ? await this.residents.findHousehold(stored.householdId, manager) : null;
        if (stored && (expectedVersion === undefined || expectedVersion === null)) {
          throw new DuplicateError(`该公民身份号码的居民已登记（当前版本 ${stored.version}），修改时请提供 expectedVersion`, [...INPUT, 'idNumber']);
        }
        if (!stored && parsed?.ok && expectedVersion !== undefined && expectedVersion !== null) {
          throw new NotFoundError('未找到该公民身份号码的居民，无法按版本更新；新登记时不要提供 expectedVersion');
        }
        const current = stored ? this.view(stored, household, today) : null;
        const checked = validateRecord(this.dictionary, ['resident', 'household'], fields, current, today, INPUT);
        const errors: FieldError[] = [...checked.errors, ...(await this.references.check(manager, checked.changes, INPUT))];
        if (gridCode !== undefined || !stored) errors.push(...(await this.references.grid(manager, gridCode, INPUT)));
        if (errors.length) throw new ValidationFailedError(errors);

        if (stored && current && stored.version !== expectedVersion) {
          throw new ConflictError('该居民信息', stored.version, expectedVersion!, current);
        }
        return stored && current
          ? this.update(manager, stored, current, gridCode ?? undefined, checked.changes, expectedVersion!, today)
          : this.create(manager, gridCode!, checked.changes, today);
      });
    } catch (e) {
      const unique = uniqueViolation(e);
      if (unique && /id_number/.test(unique.constraint)) {
        throw new DuplicateError('该公民身份号码的居民已登记（另一位工作人员刚刚保存），请查询后按版本修改', [...INPUT, 'idNumber']);
      }
      throw e;
    }
  }

  private split(changes: Values) {
    const resident: LedgerRow = {};
    const household: LedgerRow = {};
    for (const f of storedFieldsOf(this.dictionary, 'resident', 'household')) {
      if (!(f.key in changes)) continue;
      (f.entity === 'household' ? household : resident)[propertyOf(f)] = changes[f.key];
    }
    return { resident, household };
  }

  private async create(manager: EntityManager, gridCode: string, changes: Values, today: string): Promise<ResidentView> {
    const { resident, household: householdChanges } = this.split(changes);
    const household = await this.residents.findOrCreateHousehold(manager, gridCode, String(changes.currentAddress));
    delete householdChanges.currentAddress;
    if (Object.keys(householdChanges).length) await this.residents.updateHousehold(manager, household.id, householdChanges);
    const id = await this.residents.insertResident(manager, {
      registeredOn: today,
      ...resident,
      gridCode,
      householdId: household.id,
    });
    const row = (await this.residents.findById(id, manager))!;
    return this.view(row, await this.residents.findHousehold(household.id, manager), today);
  }

  private async update(
    manager: EntityManager,
    stored: LedgerRow,
    current: ResidentView,
    gridCode: string | undefined,
    changes: Values,
    expectedVersion: number,
    today: string,
  ): Promise<ResidentView> {
    const effective = Object.fromEntries(Object.entries(changes).filter(([k, v]) => !sameValue(current[k], v)));
    const moved = gridCode !== undefined && gridCode !== stored.gridCode;
    if (!moved && Object.keys(effective).length === 0) return current;

    const { resident, household: householdChanges } = this.split(effective);
    let householdId = stored.householdId as number;
    if (moved || 'currentAddress' in householdChanges) {
      // A new address (or grid) means moving to the household living there, not renaming the old one.
      const target = await this.residents.findOrCreateHousehold(manager, gridCode ?? stored.gridCode, String(changes.currentAddress ?? current.currentAddress));
      householdId = target.id;
      delete householdChanges.currentAddress;
    }
    if (Object.keys(householdChanges).length) await this.residents.updateHousehold(manager, householdId, householdChanges);
    const applied = await this.residents.updateResident(manager, stored.id, expectedVersion, {
      ...resident,
      gridCode: gridCode ?? stored.gridCode,
      householdId,
    });
    if (!applied) {
      const latest = (await this.residents.findById(stored.id, manager))!;
      throw new ConflictError('该居民信息', latest.version, expectedVersion, this.view(latest, await this.residents.findHousehold(latest.householdId, manager), today));
    }
    if (householdId !== stored.householdId) await this.residents.deleteHouseholdIfEmpty(manager, stored.householdId);
    const row = (await this.residents.findById(stored.id, manager))!;
    return this.view(row, await this.residents.findHousehold(householdId, manager), today);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9);
}
