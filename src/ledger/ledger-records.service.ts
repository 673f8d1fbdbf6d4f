import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { parseIdNumber } from '../identity/index.js';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';
import { BUSINESS, HOUSEHOLD, STAFF, VISIT } from './ledger-records.js';
import { type RecordInput, RecordService } from './record.service.js';
import { ResidentRepository } from './resident.repository.js';
import { inScope, isAncestorOfScope, type Viewer } from '../access/viewer.js';
import { levelOfCode } from './org-codes.js';
import { ReferenceChecker } from './reference-checker.js';

export const MAX_PAGE = 500;

/**
 * Staff, households, visits and businesses: everything in the ledger around the residents, each within the
 * viewer's reach (outside it: NOT_FOUND, or nothing through a relation).
 */
@Injectable()
export class LedgerRecordsService {
  constructor(
    private readonly records: RecordService,
    private readonly residents: ResidentRepository,
    private readonly dataSource: DataSource,
    private readonly references: ReferenceChecker,
  ) {}

  upsertStaff(viewer: Viewer, input: RecordInput): Promise<LedgerRow> {
    return this.records.upsert(viewer, STAFF, input);
  }

  upsertHousehold(viewer: Viewer, input: RecordInput): Promise<LedgerRow> {
    return this.records.upsert(viewer, HOUSEHOLD, input);
  }

  upsertBusiness(viewer: Viewer, input: RecordInput): Promise<LedgerRow> {
    return this.records.upsert(viewer, BUSINESS, input);
  }

  /** A visit names its resident by ID number and its grid worker by staff id. */
  recordVisit(viewer: Viewer, input: RecordInput & { residentIdNumber?: string | null; staffId?: number | null }): Promise<LedgerRow> {
    const { residentIdNumber, staffId, ...fields } = input;
    return this.records.upsert(viewer, VISIT, fields, async (manager, errors) => {
      const system: LedgerRow = {};
      const parsed = typeof residentIdNumber === 'string' ? parseIdNumber(residentIdNumber) : null;
      const resident = parsed?.ok ? await manager.getRepository<LedgerRow>(ENTITY_NAMES.resident).findOne({ where: { idNumber: parsed.value.idNumber } }) : null;
      if (!residentIdNumber) errors.push({ path: ['input', 'residentIdNumber'], code: 'REQUIRED', message: '走访对象：必填（公民身份号码）' });
      else if (parsed && !parsed.ok) errors.push({ path: ['input', 'residentIdNumber'], code: parsed.code, message: `走访对象：${parsed.message}` });
      else if (!resident || !inScope(viewer, resident.gridCode as string)) errors.push({ path: ['input', 'residentIdNumber'], code: 'UNKNOWN_RESIDENT', message: '走访对象：该公民身份号码的居民尚未登记' });
      else system.residentId = resident.id;
      const staff = staffId ? await manager.getRepository<LedgerRow>(ENTITY_NAMES.staff).findOne({ where: { id: staffId } }) : null;
      if (!staffId) errors.push({ path: ['input', 'staffId'], code: 'REQUIRED', message: '走访人：必填（工作人员编号）' });
      else if (!this.references.staffReachable(viewer, staff)) errors.push({ path: ['input', 'staffId'], code: 'UNKNOWN_STAFF', message: `走访人：没有编号为 ${staffId} 的工作人员` });
      else system.staffId = staff.id;
      return system;
    });
  }

  private repo(entity: keyof typeof ENTITY_NAMES) {
    return this.dataSource.manager.getRepository<LedgerRow>(ENTITY_NAMES[entity]);
  }

  /** Staff of an org unit in the viewer's area, or of a unit above it (a grid worker sees their community's cadres). */
  staffOf(viewer: Viewer, orgUnitCode: string): Promise<LedgerRow[]> {
    if (!inScope(viewer, orgUnitCode) && !isAncestorOfScope(viewer, orgUnitCode, levelOfCode(orgUnitCode))) {
      throw new NotFoundError(`没有代码为 "${orgUnitCode}" 的区划或网格`);
    }
    return this.repo('staff').find({ where: { orgUnitCode }, order: { id: 'ASC' } });
  }

  async staffById(viewer: Viewer, id: number | null | undefined): Promise<LedgerRow | null> {
    const staff = id ? await this.repo('staff').findOne({ where: { id } }) : null;
    return this.references.staffReachable(viewer, staff) ? staff : null;
  }

  async household(viewer: Viewer, id: number): Promise<LedgerRow> {
    const row = await this.residents.findHousehold(id);
    if (!row || !inScope(viewer, row.gridCode)) throw new NotFoundError(`未找到编号为 ${id} 的户`);
    return row;
  }

  householdsInGrid(viewer: Viewer, gridCode: string, first: number, after: number): Promise<LedgerRow[]> {
    this.ensureGrid(viewer, gridCode);
    return this.residents.findHouseholdsInGrid(gridCode, after, Math.min(Math.max(first, 1), MAX_PAGE));
  }

  /** Visits of a resident the caller already holds (a field of Resident). */
  visitsOf(residentId: number): Promise<LedgerRow[]> {
    return this.repo('visit').find({ where: { residentId }, order: { visitDate: 'DESC', id: 'DESC' } });
  }

  businessesInGrid(viewer: Viewer, gridCode: string): Promise<LedgerRow[]> {
    this.ensureGrid(viewer, gridCode);
    return this.repo('business').find({ where: { gridCode }, order: { id: 'ASC' }, take: MAX_PAGE });
  }

  private ensureGrid(viewer: Viewer, gridCode: string): void {
    if (!inScope(viewer, gridCode)) throw new NotFoundError(`没有代码为 "${gridCode}" 的区划或网格`);
  }
}
