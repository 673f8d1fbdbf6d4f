import { DuplicateElsewhereError } from '../../audit/denied-lookup.js';
import { AccessPolicy } from '../../access/access-policy.js';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Viewer } from '../../access/viewer.js';
import { AuditService } from '../../audit/audit.service.js';
import { ConflictError, DuplicateError, type FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { DICTIONARY } from '../../dictionary/dictionary.module.js';
import { type Dictionary, fieldsOf, storedFieldsOf } from '../../dictionary/dictionary.types.js';
import { validateRecord, type Values } from '../../dictionary/field-validator.js';
import { parseIdNumber, todayIso } from '../../identity/index.js';
import { QualityChecker } from '../../quality/quality-checker.js';
import type { QualityFinding } from '../../quality/quality-rules.js';
import { type LedgerRow, propertyOf } from '../entities/ledger.entities.js';
import { ReferenceChecker, ReferenceWants } from '../reference-checker.js';
import { ResidentRepository } from '../resident.repository.js';
import { deregistrationText, householdFacts, residentFacts, residentView, type ResidentView } from '../resident-view.js';
import { type AuditLine, CHUNK, type CommandOptions, sameValue } from './command-options.js';
import { AlreadyDeregisteredError, DEREGISTRATION_REASONS, ResidentDeceasedError } from './resident-status-errors.js';
import { ChangeLog } from '../../feeds/change-log.js';

/** One change to one resident, as a caller (the form, the API, an import row) asks for it. */
export interface ResidentChange {
  /** Who: the ID number as given (spaces, lower-case x and 15-digit numbers are accepted). */
  idNumber: unknown;
  /** Absent for a new resident; for a change, the version the caller read. */
  expectedVersion?: number | null;
  /** The grid a new resident lives in, or one to move to; absent on a change: stays. */
  gridCode?: string | null;
  /** Resident and household facts by dictionary key, as given: only these change, null clears. */
  fields: Values;
  /** Registered with what is known (a business's operator named by an import): no address yet, so no household. */
  withoutAddress?: boolean;
  /** Where errors point: ['input'] for the API. */
  path?: (string | number)[];
}

export interface SavedResident {
  id: number;
  version: number;
  created: boolean;
  /** The data-quality findings (templates/rules.yaml) that hold for the resident as saved: warnings, and errors
   *  the record already had that this change did not touch. */
  warnings: QualityFinding[];
}

/** A change checked against the ledger as this transaction sees it, ready to be written. */
interface Planned {
  change: ResidentChange;
  idNumber: string;
  stored: LedgerRow | null;
  current: ResidentView | null;
  changes: Values;
  /** The version the write expects: the caller's, or (registering one who left again) the one just read. */
  expectedVersion: number | null;
  /** Registered again after leaving (迁出, 其他): the same record, moved and back on the ledger, history and all. */
  reactivated: boolean;
}

const INPUT = ['input'];

/** A resident back on the ledger: their deregistration cleared. */
export const ON_THE_LEDGER = { deregisteredOn: null, deregistrationReason: null, deregistrationDestination: null, deregistrationNote: null };

/**
 * The one way residents (and the households they live in) change: the form, the API and imports all come here,
 * inside the caller's transaction. Checks who may change whom, validates with the dictionary, checks references
 * and versions, moves residents between households (same grid and address: same household; a new address moves
 * the resident; a household left empty is deleted) and writes the audit line. Batches: new residents go ~500 per
 * statement.
 */
@Injectable()
export class ResidentCommands {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly residents: ResidentRepository,
    private readonly references: ReferenceChecker,
    private readonly audit: AuditService,
    private readonly policy: AccessPolicy,
    private readonly quality: QualityChecker,
    private readonly changeLog: ChangeLog,
  ) {}

  /** Saves every change or none (the caller's transaction rolls back on the first error). Results in input order. */
  async save(manager: EntityManager, viewer: Viewer, changes: ResidentChange[], options: CommandOptions = {}): Promise<SavedResident[]> {
    const today = options.today ?? todayIso();
    const saved: SavedResident[] = [];
    for (let start = 0; start < changes.length; start += CHUNK) {
      const planned = await this.plan(manager, viewer, changes.slice(start, start + CHUNK), today);
      const lines: AuditLine[] = [];
      const created = await this.create(manager, planned.filter((p) => !p.stored), today, lines);
      const batch: SavedResident[] = [];
      for (const p of planned) batch.push(p.stored ? await this.update(manager, p, lines, options.auditAction) : created.get(p.idNumber)!);
      await this.checkQuality(manager, planned, batch, today);
      saved.push(...batch);
      // One statement for the batch's audit lines (and one look at the end of the audit chain).
      await this.audit.recordChanges(manager, viewer, 'resident', lines);
      // The forms' change feeds, in the same transaction (the households they left too: what their members show).
      await this.changeLog.record(manager, { residents: batch.map((s) => s.id), households: planned.flatMap((p) => (p.stored?.householdId ? [p.stored.householdId as number] : [])) }, today);
      options.onProgress?.(start + planned.length);
    }
    return saved;
  }

  /** Reads the residents and references of a batch, then checks each change: nothing is written yet. */
  private async plan(manager: EntityManager, viewer: Viewer, changes: ResidentChange[], today: string): Promise<Planned[]> {
    const parsed = changes.map((c) => (typeof c.idNumber === 'string' ? parseIdNumber(c.idNumber, today) : null));
    const idNumbers = parsed.flatMap((p) => (p?.ok ? [p.value.idNumber] : []));
    const rows = idNumbers.length ? await this.residents.findByIdNumbers(manager, idNumbers) : [];
    const households = new Map((await this.residents.findHouseholds(manager, rows.flatMap((r) => (r.householdId ? [r.householdId] : [])))).map((h) => [h.id as number, h]));
    const stored = new Map(rows.map((r) => [r.idNumber as string, r]));

    const wants = new ReferenceWants();
    const checked = changes.map((change, i) => {
      const p = parsed[i];
      const idNumber = p?.ok ? p.value.idNumber : null;
      const row = idNumber ? (stored.get(idNumber) ?? null) : null;
      const reactivated = this.admit(viewer, change, row, idNumber);
      const current = row ? residentView(this.dictionary, row, households.get(row.householdId) ?? null, today) : null;
      const fields = { ...change.fields, idNumber: idNumber ?? change.idNumber };
      // A registration without an address validates what it has: required fields only where given.
      const base = current ?? (change.withoutAddress ? {} : null);
      const result = validateRecord(this.dictionary, ['resident', 'household'], fields, base, today, change.path ?? INPUT);
      this.references.want(wants, result.changes);
      if (change.gridCode) wants.orgUnits.add(change.gridCode);
      return { change, idNumber: idNumber ?? '', stored: row, current, result, reactivated };
    });

    const refs = await this.references.load(manager, wants);
    const errors: FieldError[] = [];
    for (const { change, stored: row, result, reactivated } of checked) {
      const path = change.path ?? INPUT;
      errors.push(...this.readOnly(change.fields, path), ...result.errors, ...this.references.fields(refs, viewer, result.changes, path));
      // Registering again is a registration: where they live now (grid and address) must be given.
      if (change.gridCode !== undefined || !row || reactivated) errors.push(...this.references.orgUnit(refs, viewer, change.gridCode, path, 'gridCode', 'grid'));
      if (reactivated && !result.changes.currentAddress) errors.push({ path: [...path, 'currentAddress'], code: 'REQUIRED', message: '现居住地址：重新登记时必填' });
    }
    if (errors.length) throw new ValidationFailedError(errors);
    const planned = checked.map(({ change, idNumber, stored: row, current, result, reactivated }) => ({
      change, idNumber, stored: row, current, changes: result.changes, reactivated, expectedVersion: reactivated ? row!.version : (change.expectedVersion ?? null),
    }));
    for (const { stored: row, current, expectedVersion } of planned) {
      if (row && current && row.version !== expectedVersion) throw new ConflictError('该居民信息', row.version, expectedVersion!, current);
    }
    return planned;
  }

  /**
   * The data-quality rules on the batch as written (read back through the transaction, so cross-record checks see
   * this batch too): an error the change brings in fails the save (the caller's transaction rolls back), the rest
   * of the findings go back with each saved resident.
   */
  private async checkQuality(manager: EntityManager, planned: Planned[], saved: SavedResident[], today: string): Promise<void> {
    if (!this.quality.rules.length) return;
    const rows = await this.residents.findByIds(manager, saved.map((s) => s.id));
    const households = new Map((await this.residents.findHouseholds(manager, rows.flatMap((r) => (r.householdId ? [r.householdId] : [])))).map((h) => [h.id as number, h]));
    const views = rows.map((r) => residentView(this.dictionary, r, households.get(r.householdId) ?? null, today));
    const findings = await this.quality.findings(manager, views, today);
    const errors: FieldError[] = [];
    planned.forEach((p, i) => {
      const found = findings.get(saved[i].id) ?? [];
      const given = [...Object.keys(p.change.fields), ...(p.change.gridCode ? ['gridCode'] : [])];
      errors.push(...this.quality.fieldErrors(this.quality.blocking(found, given, !p.stored || p.reactivated), p.change.path ?? INPUT));
      saved[i].warnings = found;
    });
    if (errors.length) throw new ValidationFailedError(errors);
  }

  /** Fields only their own commands change (注销: deregisterResident, restoreResident) are refused here. */
  private readOnly(fields: Values, path: (string | number)[]): FieldError[] {
    return fieldsOf(this.dictionary, 'resident', 'household')
      .filter((f) => f.readOnly && fields[f.key] !== undefined)
      .map((f) => ({ path: [...path, f.key], code: 'NOT_CHANGEABLE', message: `${f.label}：只能通过注销、恢复修改` }));
  }

  /**
   * Who may create or change whom: one registered elsewhere is neither shown nor registered twice; one who left
   * (迁出, 其他) is registered again as the same record, wherever they left from. Answers whether that is the case.
   */
  private admit(viewer: Viewer, change: ResidentChange, stored: LedgerRow | null, idNumber: string | null): boolean {
    const versioned = change.expectedVersion !== undefined && change.expectedVersion !== null;
    const path = [...(change.path ?? INPUT), 'idNumber'];
    if (stored?.deregisteredOn && !versioned) {
      if (stored.deregistrationReason === DEREGISTRATION_REASONS.deceased) throw new ResidentDeceasedError(path);
      return true;
    }
    if (stored && !this.policy.reaches(viewer, stored.gridCode as string)) {
      // Registered in another area: say so (a newcomer must be moved, not registered twice), show nothing of it.
      const lookup = { entity: 'resident', recordId: stored.id as number };
      if (versioned) this.policy.requireRecord(viewer, stored.gridCode as string, '未找到该公民身份号码的居民', lookup);
      throw new DuplicateElsewhereError('该公民身份号码的居民已在其他网格或社区登记；如已迁入本辖区，请由原社区或街道办理迁移', path, lookup);
    }
    if (stored && !versioned) throw new DuplicateError(`该公民身份号码的居民已登记（当前版本 ${stored.version}），修改时请提供 expectedVersion`, path);
    if (!stored && idNumber && versioned) throw new NotFoundError('未找到该公民身份号码的居民，无法按版本更新；新登记时不要提供 expectedVersion');
    if (stored?.deregisteredOn) throw new AlreadyDeregisteredError(deregistrationText(this.dictionary, stored));
    return false;
  }

  /** Resident and household facts apart, as stored properties. */
  private split(changes: Values): { resident: LedgerRow; household: LedgerRow } {
    const resident: LedgerRow = {};
    const household: LedgerRow = {};
    for (const f of storedFieldsOf(this.dictionary, 'resident', 'household')) {
      if (f.key in changes) (f.entity === 'household' ? household : resident)[propertyOf(f)] = changes[f.key];
    }
    return { resident, household };
  }

  /** New residents of a batch: their households found or created, the residents inserted, audited, a few statements each. */
  private async create(manager: EntityManager, planned: Planned[], today: string, lines: AuditLine[]): Promise<Map<string, SavedResident>> {
    const saved = new Map<string, SavedResident>();
    if (!planned.length) return saved;
    const rows = planned.map((p) => ({ p, grid: p.change.gridCode!, address: p.changes.currentAddress, ...this.split(p.changes) }));
    const addressed = rows.filter((r) => typeof r.address === 'string');
    const households = await this.residents.ensureHouseholds(manager, addressed.map((r) => ({ gridCode: r.grid, currentAddress: r.address })));
    const householdOf = (r: (typeof rows)[number]) => (typeof r.address === 'string' ? households.get(`${r.grid}|${r.address}`)! : null);
    for (const r of addressed) {
      const { currentAddress: _, ...other } = r.household;
      if (Object.keys(other).length) await this.residents.updateHousehold(manager, householdOf(r)!, other);
    }
    const values = rows.map((r) => ({ registeredOn: today, ...r.resident, gridCode: r.grid, householdId: householdOf(r) }));
    const ids = await this.residents.insertResidents(manager, values);
    // The audit line shows the household as the resident now shares it (facts another member gave it included).
    const shared = new Map((await this.residents.findHouseholds(manager, [...new Set(addressed.map(householdOf) as number[])])).map((h) => [h.id as number, h]));
    rows.forEach((r, i) => {
      const id = ids.get(r.p.idNumber)!;
      saved.set(r.p.idNumber, { id, version: 1, created: true, warnings: [] });
      const household = shared.get(householdOf(r)!) ?? null;
      lines.push({ recordId: id, before: null, after: residentFacts(this.dictionary, residentView(this.dictionary, { ...values[i], idNumber: r.p.idNumber }, household, today)) });
    });
    return saved;
  }

  /**
   * A stored resident: only what differs is written; a new grid or address moves them to the household there. One
   * registered again also has their deregistration cleared.
   */
  private async update(manager: EntityManager, { change, stored, current, changes, expectedVersion, reactivated }: Planned, lines: AuditLine[], action?: string): Promise<SavedResident> {
    const row = stored!;
    const before = residentFacts(this.dictionary, current!);
    const requested = reactivated ? { ...changes, ...ON_THE_LEDGER } : changes;
    const effective = Object.fromEntries(Object.entries(requested).filter(([k, v]) => !sameValue(before[k], v)));
    const grid = change.gridCode ?? row.gridCode;
    const moved = grid !== row.gridCode;
    if (!moved && Object.keys(effective).length === 0) return { id: row.id, version: row.version, created: false, warnings: [] };

    const { resident, household: householdChanges } = this.split(effective);
    let householdId: number | null = row.householdId ?? null;
    let joined: LedgerRow | null = null;
    if (moved || 'currentAddress' in householdChanges) {
      // A new address (or grid) means moving to the household living there, not renaming the old one.
      const address = changes.currentAddress ?? current!.currentAddress;
      joined = typeof address === 'string' && address ? await this.residents.findOrCreateHousehold(manager, grid, address) : null;
      householdId = joined?.id ?? null;
      delete householdChanges.currentAddress;
    }
    if (Object.keys(householdChanges).length && householdId) await this.residents.updateHousehold(manager, householdId, householdChanges);
    if (!(await this.residents.updateResident(manager, row.id, expectedVersion!, { ...resident, gridCode: grid, householdId }))) {
      throw await this.conflictNow(manager, row.id, expectedVersion!);
    }
    if (householdId !== row.householdId && row.householdId) await this.residents.deleteHouseholdIfEmpty(manager, row.householdId);
    const after = { ...before, ...(joined ? householdFacts(this.dictionary, joined) : {}), ...effective, gridCode: grid };
    lines.push({ recordId: row.id, before, after, action: reactivated ? 'reactivate' : action });
    return { id: row.id, version: row.version + 1, created: false, warnings: [] };
  }

  /** The conflict of a write whose `WHERE version = …` found another version: the resident as it is now. */
  async conflictNow(manager: EntityManager, id: number, expectedVersion: number): Promise<ConflictError> {
    const latest = (await this.residents.findById(id, manager))!;
    return new ConflictError('该居民信息', latest.version, expectedVersion, residentView(this.dictionary, latest, await this.residents.findHousehold(latest.householdId, manager)));
  }
}
