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
import { inScope, type Viewer } from '../access/viewer.js';
import { codePrefix } from './org-codes.js';
import { AuditService } from '../audit/audit.service.js';
import { RecordMasker } from '../access/record-masker.js';
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
    private readonly audit: AuditService,
    private readonly masker: RecordMasker,
  ) {}

  /** A resident by ID number; outside the viewer's area the answer is NOT_FOUND, as for one who does not exist. */
  async get(viewer: Viewer, rawIdNumber: string): Promise<ResidentView> {
    const parsed = parseIdNumber(rawIdNumber);
    const row = parsed.ok ? await this.residents.findByIdNumber(parsed.value.idNumber) : null;
    if (!row || !inScope(viewer, row.gridCode)) throw new NotFoundError('未找到该公民身份号码的居民');
    return this.view(row, await this.residents.findHousehold(row.householdId));
  }

  /** Residents of an org unit in the viewer's area found by name or (part of) ID number, at most 50. */
  async search(viewer: Viewer, orgUnitCode: string, rawText: string): Promise<ResidentView[]> {
    if (!inScope(viewer, orgUnitCode)) throw new NotFoundError(`没有代码为 "${orgUnitCode}" 的区划或网格`);
    const text = rawText.trim().replace(/\s+/g, '').toUpperCase();
    if (Array.from(text).length < 1) return [];
    const unit = await this.residents.findOrgUnitLevel(orgUnitCode);
    if (!unit) throw new NotFoundError(`没有代码为 "${orgUnitCode}" 的区划或网格`);
    const rows = await this.residents.search(codePrefix(orgUnitCode, unit), text, 50);
    const households = new Map<number, LedgerRow | null>();
    for (const r of rows) if (!households.has(r.householdId)) households.set(r.householdId, await this.residents.findHousehold(r.householdId));
    return rows.map((r) => this.view(r, households.get(r.householdId) ?? null));
  }

  /** A resident's change history, newest first, with ID and phone numbers masked for a viewer not entitled to them. */
  async history(viewer: Viewer, rawIdNumber: string) {
    const resident = await this.get(viewer, rawIdNumber);
    const records = this.audit.forViewer(viewer, await this.audit.find({ entity: 'resident', recordId: resident.id, limit: 500 }));
    return this.audit.described(records);
  }

  /** For relations (a visit's resident, a business's operator): null outside the viewer's area. */
  async getById(viewer: Viewer, id: number): Promise<ResidentView | null> {
    const row = await this.residents.findById(id);
    return row && inScope(viewer, row.gridCode) ? this.view(row, await this.residents.findHousehold(row.householdId)) : null;
  }

  async membersOf(viewer: Viewer, householdId: number): Promise<ResidentView[]> {
    const household = await this.residents.findHousehold(householdId);
    if (!household || !inScope(viewer, household.gridCode)) return [];
    return (await this.residents.findByHousehold(householdId)).map((row) => this.view(row, household));
  }

  /** The facts of a resident as the audit log records them: dictionary keys and the grid. */
  private facts(view: ResidentView | null): Record<string, unknown> | null {
    if (!view) return null;
    return { gridCode: view.gridCode, ...Object.fromEntries(storedFieldsOf(this.dictionary, 'resident', 'household').map((f) => [f.key, view[propertyOf(f)]])) };
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

  async upsert(viewer: Viewer, input: ResidentInput): Promise<ResidentView> {
    const today = todayIso();
    const { gridCode, expectedVersion, ...fields } = input;
    const parsed = typeof fields.idNumber === 'string' ? parseIdNumber(fields.idNumber, today) : null;
    if (parsed?.ok) fields.idNumber = parsed.value.idNumber;
    try {
      return await this.unitOfWork.run(async (manager) => {
        const stored = parsed?.ok ? await this.residents.findByIdNumber(parsed.value.idNumber, manager) : null;
        const household = stored ? await this.residents.findHousehold(stored.householdId, manager) : null;
        if (stored && !inScope(viewer, stored.gridCode)) {
          // Registered in another area: say so (a newcomer must be moved, not registered twice), show nothing of it.
          if (expectedVersion !== undefined && expectedVersion !== null) throw new NotFoundError('未找到该公民身份号码的居民');
          throw new DuplicateError('该公民身份号码的居民已在其他网格或社区登记；如已迁入本辖区，请由原社区或街道办理迁移', [...INPUT, 'idNumber']);
        }
        if (stored && (expectedVersion === undefined || expectedVersion === null)) {
          throw new DuplicateError(`该公民身份号码的居民已登记（当前版本 ${stored.version}），修改时请提供 expectedVersion`, [...INPUT, 'idNumber']);
        }
        if (!stored && parsed?.ok && expectedVersion !== undefined && expectedVersion !== null) {
          throw new NotFoundError('未找到该公民身份号码的居民，无法按版本更新；新登记时不要提供 expectedVersion');
        }
        const current = stored ? this.view(stored, household, today) : null;
        const checked = validateRecord(this.dictionary, ['resident', 'household'], fields, current, today, INPUT);
        const errors: FieldError[] = [...checked.errors, ...(await this.references.check(manager, viewer, checked.changes, INPUT))];
        if (gridCode !== undefined || !stored) errors.push(...(await this.references.grid(manager, viewer, gridCode, INPUT)));
        if (errors.length) throw new ValidationFailedError(errors);

        if (stored && current && stored.version !== expectedVersion) {
          throw new ConflictError('该居民信息', stored.version, expectedVersion!, current);
        }
        const saved = stored && current
          ? await this.update(manager, viewer, stored, current, gridCode ?? undefined, checked.changes, expectedVersion!, today)
          : await this.create(manager, gridCode!, checked.changes, today);
        await this.audit.recordChange(manager, viewer, 'resident', saved.id, this.facts(current), this.facts(saved));
        return saved;
      });
    } catch (e) {
      // The current values go back masked (or, in full, as an audited reveal) once the transaction is over.
      // Keyed like the input (dictionary keys, liaisonStaff not liaisonStaffId), so a client can set them side by side.
      if (e instanceof ConflictError && e.current) throw e.withCurrent(await this.masker.record(viewer, { id: (e.current as ResidentView).id, ...this.facts(e.current as ResidentView)!, version: e.currentVersion }, 'resident'));
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
    viewer: Viewer,
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
      const view = this.view(latest, await this.residents.findHousehold(latest.householdId, manager), today);
      throw new ConflictError('该居民信息', latest.version, expectedVersion, view);
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
