import { AccessPolicy } from '../../access/access-policy.js';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Viewer } from '../../access/viewer.js';
import { AuditService } from '../../audit/audit.service.js';
import { ConflictError, type FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { DICTIONARY } from '../../dictionary/dictionary.module.js';
import type { Dictionary } from '../../dictionary/dictionary.types.js';
import { validateRecord, validateValue, type Values } from '../../dictionary/field-validator.js';
import { parseIdNumber, todayIso } from '../../identity/index.js';
import type { LedgerRow } from '../entities/ledger.entities.js';
import { ResidentRepository } from '../resident.repository.js';
import { deregistrationText, residentFacts, residentView, type ResidentView } from '../resident-view.js';
import type { CommandOptions } from './command-options.js';
import { ON_THE_LEDGER, ResidentCommands } from './resident.commands.js';
import { AlreadyDeregisteredError, NotDeregisteredError } from './resident-status-errors.js';
import { ChangeLog } from '../../feeds/change-log.js';

/** 注销: who leaves, from which day, why (迁出 with where to, 死亡, 其他), a note; the version the caller read. */
export interface Deregistration {
  idNumber: unknown;
  expectedVersion?: number | null;
  reason?: unknown;
  effectiveDate?: unknown;
  destination?: unknown;
  note?: unknown;
}

/** 恢复: a deregistration made by mistake undone, with why. */
export interface Restoration {
  idNumber: unknown;
  expectedVersion?: number | null;
  reason?: unknown;
}

/** A street office moves a resident to another grid of its street (another community), at an address there or the same one. */
export interface Transfer {
  idNumber: unknown;
  expectedVersion?: number | null;
  gridCode?: unknown;
  currentAddress?: unknown;
}

/** The mutations' argument for each deregistration field: errors point at what the caller sent. */
const ARGUMENTS: Record<string, string> = {
  deregisteredOn: 'effectiveDate',
  deregistrationReason: 'reason',
  deregistrationDestination: 'destination',
  deregistrationNote: 'note',
};

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Residents leaving the ledger and coming back, inside the caller's transaction like every ledger command: the
 * viewer's scope decides whom they reach (anyone else is NOT_FOUND), the dictionary validates (注销日期 not in the
 * future nor before 登记日期, 迁往地 for 迁出), the version is checked, and the audit line names the action.
 * Registering again after 迁出 is ResidentCommands' (the same record, reactivated); a transfer is a move through it.
 */
@Injectable()
export class ResidentStatusCommands {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly residents: ResidentRepository,
    private readonly commands: ResidentCommands,
    private readonly audit: AuditService,
    private readonly policy: AccessPolicy,
    private readonly changeLog: ChangeLog,
  ) {}

  /** Takes a resident off the ledger from the effective date on; their record and history stay. Answers their id. */
  async deregister(manager: EntityManager, viewer: Viewer, d: Deregistration, options: CommandOptions = {}): Promise<number> {
    const today = options.today ?? todayIso();
    const { row, current } = await this.reach(manager, viewer, d.idNumber, today);
    if (row.deregisteredOn) throw new AlreadyDeregisteredError(deregistrationText(this.dictionary, row));
    const expected = this.expected(row, d.expectedVersion);
    const input = { deregisteredOn: d.effectiveDate, deregistrationReason: d.reason, deregistrationDestination: d.destination, deregistrationNote: d.note };
    const given = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, blank(v) ? null : v]));
    const result = validateRecord(this.dictionary, ['resident'], given, residentFacts(this.dictionary, current), today);
    const errors: FieldError[] = (['deregisteredOn', 'deregistrationReason'] as const)
      .filter((key) => given[key] === null)
      .map((key) => ({ path: [key], code: 'REQUIRED', message: `${this.dictionary.byKey.get(key)!.label}：必填` }));
    errors.push(...result.errors.filter((e) => !errors.some((r) => r.path[0] === e.path[0])));
    if (errors.length) throw new ValidationFailedError(errors.map((e) => ({ ...e, path: [ARGUMENTS[e.path[0]] ?? e.path[0]] })));
    return this.write(manager, viewer, row, current, expected, result.changes, 'deregister');
  }

  /** Undoes a deregistration (a mistake): the resident is on the ledger again where they were. Answers their id. */
  async restore(manager: EntityManager, viewer: Viewer, r: Restoration, options: CommandOptions = {}): Promise<number> {
    const today = options.today ?? todayIso();
    const { row, current } = await this.reach(manager, viewer, r.idNumber, today);
    if (!row.deregisteredOn) throw new NotDeregisteredError();
    const expected = this.expected(row, r.expectedVersion);
    // A reason is text as long as a note may be.
    const checked = blank(r.reason) ? null : validateValue(this.dictionary, this.dictionary.byKey.get('deregistrationNote')!, r.reason, today);
    if (checked && !checked.ok) throw new ValidationFailedError([{ path: ['reason'], code: checked.code, message: `恢复原因：${checked.message}` }]);
    return this.write(manager, viewer, row, current, expected, ON_THE_LEDGER, 'restore', checked ? { restoreReason: checked.value } : {});
  }

  /**
   * Moves a resident to another grid within the viewer's reach (a street office: between its communities), through
   * the one write path: the household there at the address (given, or the one they have), the old one deleted if
   * left empty. Answers their id.
   */
  async transfer(manager: EntityManager, viewer: Viewer, t: Transfer, options: CommandOptions = {}): Promise<number> {
    const today = options.today ?? todayIso();
    const { row } = await this.reach(manager, viewer, t.idNumber, today);
    const expectedVersion = this.expected(row, t.expectedVersion);
    if (t.gridCode === row.gridCode) throw new ValidationFailedError([{ path: ['gridCode'], code: 'SAME_GRID', message: '该居民已在这个网格，请选择要迁往的网格' }]);
    const fields: Values = blank(t.currentAddress) ? {} : { currentAddress: t.currentAddress };
    const gridCode = typeof t.gridCode === 'string' ? t.gridCode : null;
    const [saved] = await this.commands.save(manager, viewer, [{ idNumber: row.idNumber, expectedVersion, gridCode, fields, path: [] }], { today, auditAction: 'transfer' });
    return saved.id;
  }

  /** The resident of an ID number within the viewer's reach, as this transaction sees them; otherwise NOT_FOUND. */
  private async reach(manager: EntityManager, viewer: Viewer, rawIdNumber: unknown, today: string): Promise<{ row: LedgerRow; current: ResidentView }> {
    const parsed = typeof rawIdNumber === 'string' ? parseIdNumber(rawIdNumber, today) : null;
    const row = parsed?.ok ? await this.residents.findByIdNumber(parsed.value.idNumber, manager) : null;
    if (!row) throw new NotFoundError('未找到该公民身份号码的居民');
    this.policy.requireRecord(viewer, row.gridCode as string, '未找到该公民身份号码的居民', { entity: 'resident', recordId: row.id as number });
    return { row, current: residentView(this.dictionary, row, await this.residents.findHousehold(row.householdId, manager), today) };
  }

  private expected(row: LedgerRow, expectedVersion: number | null | undefined): number {
    if (expectedVersion === undefined || expectedVersion === null) {
      throw new ValidationFailedError([{ path: ['expectedVersion'], code: 'REQUIRED', message: `须提供 expectedVersion（读取时的版本号，当前版本 ${row.version}）` }]);
    }
    return expectedVersion;
  }

  /** The deregistration fields as given, version-checked, and the audit line with its action, in one transaction. */
  private async write(manager: EntityManager, viewer: Viewer, row: LedgerRow, current: ResidentView, expected: number, changes: Values, action: string, noted: Values = {}): Promise<number> {
    if (row.version !== expected) throw new ConflictError('该居民信息', row.version, expected, current);
    if (!(await this.residents.updateResident(manager, row.id, expected, changes))) throw await this.commands.conflictNow(manager, row.id, expected);
    const before = residentFacts(this.dictionary, current);
    await this.audit.recordChanges(manager, viewer, 'resident', [{ recordId: row.id, before, after: { ...before, ...changes, ...noted }, action }]);
    await this.changeLog.record(manager, { residents: [row.id] });
    return row.id;
  }
}
