import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConflictError, DuplicateError, NotFoundError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { uniqueViolation } from '../database/database-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import { type Dictionary } from '../dictionary/dictionary.types.js';
import type { Values } from '../dictionary/field-validator.js';
import { parseIdNumber, todayIso } from '../identity/index.js';
import type { QualityFinding } from '../quality/quality-rules.js';
import type { LedgerRow } from './entities/ledger.entities.js';
import { AccessPolicy } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { REFUSAL_ACTIONS } from '../audit/denied-lookup.js';
import { RecordMasker } from '../access/record-masker.js';
import { ResidentCommands } from './commands/resident.commands.js';
import { type Deregistration, type Restoration, ResidentStatusCommands, type Transfer } from './commands/resident-status.commands.js';
import { ResidentRepository } from './resident.repository.js';
import { residentFacts, residentView, type ResidentView } from './resident-view.js';
import type { RequestLoaders } from './ledger-loaders.js';

export type { ResidentView } from './resident-view.js';

export interface ResidentInput extends Values {
  idNumber?: unknown;
  gridCode?: string | null;
  expectedVersion?: number | null;
}

const INPUT = ['input'];

/** Search text limits: a name needs two characters (one surname lists half a community); an ID number is 18. */
export const SEARCH_TEXT = { min: 1, minName: 2, max: 50 } as const;

/**
 * The text a search looks for: trimmed, without inner spaces, upper case (x in an ID number). Checked before anything
 * else — an over-long text is refused by its length, never carried to the database.
 */
export function searchText(raw: string): string {
  const fail = (code: string, message: string) => new ValidationFailedError([{ path: ['text'], code, message }]);
  if (raw.length > SEARCH_TEXT.max * 8) throw fail('TOO_LONG', `查找内容最多 ${SEARCH_TEXT.max} 个字`);
  const text = raw.trim().replace(/\s+/g, '').toUpperCase();
  const length = Array.from(text).length;
  if (length < SEARCH_TEXT.min) throw fail('TOO_SHORT', '请输入姓名或公民身份号码');
  if (length > SEARCH_TEXT.max) throw fail('TOO_LONG', `查找内容最多 ${SEARCH_TEXT.max} 个字`);
  if (length < SEARCH_TEXT.minName && !/^\d$/.test(text)) throw fail('TOO_SHORT', `按姓名查找至少输入 ${SEARCH_TEXT.minName} 个字`);
  if (length < SEARCH_TEXT.minName) throw fail('TOO_SHORT', '按身份证号码查找请输入末几位（至少 4 位）或全部 18 位');
  return text;
}

/** Single entry and reads: one resident (and their household) from the one form; writes go through ResidentCommands. */
@Injectable()
export class ResidentService {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly residents: ResidentRepository,
    private readonly commands: ResidentCommands,
    private readonly status: ResidentStatusCommands,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
    private readonly masker: RecordMasker,
    private readonly policy: AccessPolicy,
  ) {}

  /** A resident by ID number; outside the viewer's area the answer is NOT_FOUND, as for one who does not exist. */
  async get(viewer: Viewer, rawIdNumber: string): Promise<ResidentView> {
    const parsed = parseIdNumber(rawIdNumber);
    const row = parsed.ok ? await this.residents.findByIdNumber(parsed.value.idNumber) : null;
    if (!row) throw new NotFoundError('未找到该公民身份号码的居民');
    this.policy.requireRecord(viewer, row.gridCode, '未找到该公民身份号码的居民', { entity: 'resident', recordId: row.id });
    return this.view(row, await this.residents.findHousehold(row.householdId));
  }

  /** Residents of an org unit in the viewer's area found by name or (part of) ID number, at most 50. */
  async search(viewer: Viewer, orgUnitCode: string, rawText: string): Promise<ResidentView[]> {
    const text = searchText(rawText);
    const unit = await this.policy.unit(viewer, orgUnitCode);
    const rows = await this.residents.search(unit.range, text, 50);
    const ids = [...new Set(rows.map((r) => Number(r.householdId)).filter(Boolean))];
    const households = new Map((await this.residents.householdsByIds(ids)).map((h) => [Number(h.id), h]));
    return rows.map((r) => this.view(r, households.get(Number(r.householdId)) ?? null));
  }

  /** A resident's change history, newest first, with ID and phone numbers masked for a viewer not entitled to them. */
  async history(viewer: Viewer, rawIdNumber: string) {
    const resident = await this.get(viewer, rawIdNumber);
    const records = this.policy.history(viewer, await this.audit.find({ entity: 'resident', recordId: resident.id, exceptActions: REFUSAL_ACTIONS, limit: 500 }));
    return this.audit.described(records);
  }

  /** For relations (a visit's resident, a business's operator): null outside the viewer's area. */
  async getById(viewer: Viewer, id: number, loaders?: RequestLoaders): Promise<ResidentView | null> {
    const row = loaders ? await loaders.resident.load(Number(id)) : await this.residents.findById(id);
    const seen = this.policy.related(viewer, row, row?.gridCode);
    if (!seen) return null;
    const household = loaders ? (seen.householdId ? await loaders.household.load(Number(seen.householdId)) : null) : await this.residents.findHousehold(seen.householdId);
    return this.view(seen, household);
  }

  /** `loaders`: a GraphQL request's batchers (a page of households asks for all their members at once). */
  async membersOf(viewer: Viewer, householdId: number, loaders?: RequestLoaders): Promise<ResidentView[]> {
    const stored = loaders ? await loaders.household.load(Number(householdId)) : await this.residents.findHousehold(householdId);
    const household = this.policy.related(viewer, stored, stored?.gridCode);
    if (!household) return [];
    const members = loaders ? await loaders.membersOf.load(Number(householdId)) : await this.residents.findByHousehold(householdId);
    return members.map((row) => this.view(row, household));
  }

  view(row: LedgerRow, household: LedgerRow | null, today = todayIso()): ResidentView {
    return residentView(this.dictionary, row, household, today);
  }

  /**
   * Registers a resident (no expectedVersion) or changes one, through the one write path; answers them as stored.
   * Registering an ID number that left (迁出, 其他) brings that record back, here.
   */
  async upsert(viewer: Viewer, input: ResidentInput): Promise<ResidentView> {
    const { idNumber, gridCode, expectedVersion, ...fields } = input;
    let warnings: QualityFinding[] = [];
    const view = await this.write(viewer, async (manager) => {
      const [saved] = await this.commands.save(manager, viewer, [{ idNumber, gridCode, expectedVersion, fields, path: INPUT }]);
      warnings = saved.warnings;
      return saved.id;
    });
    // The findings of the save itself (Resident.warnings answers them without reading again).
    return Object.assign(view, { warnings });
  }

  /** 注销: off every form from the effective date on, history kept. */
  deregister(viewer: Viewer, d: Deregistration): Promise<ResidentView> {
    return this.write(viewer, (manager) => this.status.deregister(manager, viewer, d));
  }

  /** 恢复: a deregistration undone. */
  restore(viewer: Viewer, r: Restoration): Promise<ResidentView> {
    return this.write(viewer, (manager) => this.status.restore(manager, viewer, r));
  }

  /** A street office's move of a resident to another community of its street. */
  transfer(viewer: Viewer, t: Transfer): Promise<ResidentView> {
    return this.write(viewer, (manager) => this.status.transfer(manager, viewer, t));
  }

  /** One change in its own transaction, answered with the resident as stored; errors as the API gives them. */
  private async write(viewer: Viewer, change: (manager: EntityManager) => Promise<number>): Promise<ResidentView> {
    try {
      return await this.unitOfWork.run(async (manager) => {
        const row = (await this.residents.findById(await change(manager), manager))!;
        return this.view(row, await this.residents.findHousehold(row.householdId, manager));
      });
    } catch (e) {
      // The current values go back masked (or, in full, as an audited reveal) once the transaction is over.
      // Keyed like the input (dictionary keys, liaisonStaff not liaisonStaffId), so a client can set them side by side.
      if (e instanceof ConflictError && e.current) {
        const current = e.current as ResidentView;
        throw e.withCurrent(await this.masker.record(viewer, { id: current.id, ...residentFacts(this.dictionary, current), version: e.currentVersion }, 'resident'));
      }
      const unique = uniqueViolation(e);
      if (unique && /id_number/.test(unique.constraint)) {
        throw new DuplicateError('该公民身份号码的居民已登记（另一位工作人员刚刚保存），请查询后按版本修改', [...INPUT, 'idNumber']);
      }
      throw e;
    }
  }
}
