import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RecordMasker } from '../access/record-masker.js';
import { ConflictError, DuplicateError, NotFoundError } from '../common/errors/domain-errors.js';
import { uniqueViolation } from '../database/database-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import type { Values } from '../dictionary/field-validator.js';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';
import { BUSINESS, HOUSEHOLD, type RecordSpec, STAFF, VISIT } from './ledger-records.js';
import { type RecordChange, RecordCommands } from './commands/record.commands.js';
import { ResidentRepository } from './resident.repository.js';
import { AccessPolicy } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import { pageSize } from '../access/page-size.js';
import type { RequestLoaders } from './ledger-loaders.js';

export const MAX_PAGE = 500;

export interface RecordInput extends Values {
  id?: number | null;
  expectedVersion?: number | null;
}

const INPUT = ['input'];

/**
 * Staff, households, visits and businesses: everything in the ledger around the residents, each within the
 * viewer's reach (outside it: NOT_FOUND, or nothing through a relation).
 */
@Injectable()
export class LedgerRecordsService {
  constructor(
    private readonly commands: RecordCommands,
    private readonly unitOfWork: UnitOfWork,
    private readonly masker: RecordMasker,
    private readonly residents: ResidentRepository,
    private readonly dataSource: DataSource,
    private readonly policy: AccessPolicy,
  ) {}

  upsertStaff(viewer: Viewer, input: RecordInput): Promise<LedgerRow> {
    return this.save(viewer, STAFF, input);
  }

  upsertHousehold(viewer: Viewer, input: RecordInput): Promise<LedgerRow> {
    return this.save(viewer, HOUSEHOLD, input);
  }

  upsertBusiness(viewer: Viewer, input: RecordInput): Promise<LedgerRow> {
    return this.save(viewer, BUSINESS, input);
  }

  /** A visit names its resident by ID number and its grid worker by staff id. */
  recordVisit(viewer: Viewer, input: RecordInput & { residentIdNumber?: string | null; staffId?: number | null }): Promise<LedgerRow> {
    const { residentIdNumber, staffId, ...fields } = input;
    return this.save(viewer, VISIT, fields, { residentId: residentIdNumber, staffId });
  }

  /**
   * Creates (no `id`) or updates (`id` and `expectedVersion`) one record through the one write path; a stale
   * version is a CONFLICT, never an overwrite.
   */
  private async save(viewer: Viewer, spec: RecordSpec, input: RecordInput, links?: RecordChange['links']): Promise<LedgerRow> {
    const { id, expectedVersion, ...fields } = input;
    try {
      return await this.unitOfWork.run(async (manager) => (await this.commands.save(manager, viewer, spec, [{ id, expectedVersion, fields, links, path: INPUT }]))[0]);
    } catch (e) {
      // The current values go back masked (or, in full, as an audited reveal) once the transaction is over.
      if (e instanceof ConflictError && e.current) throw e.withCurrent(await this.masker.record(viewer, e.current, spec.entity));
      const unique = uniqueViolation(e);
      const known = unique && spec.unique?.find((u) => u.match.test(unique.constraint));
      if (known) throw new DuplicateError(known.message, [...INPUT, known.path]);
      throw e;
    }
  }

  private repo(entity: keyof typeof ENTITY_NAMES) {
    return this.dataSource.manager.getRepository<LedgerRow>(ENTITY_NAMES[entity]);
  }

  /** Staff of an org unit in the viewer's area, or of a unit above it (a grid worker sees their community's cadres). */
  async staffOf(viewer: Viewer, orgUnitCode: string): Promise<LedgerRow[]> {
    await this.policy.unit(viewer, orgUnitCode, { navigate: true });
    return this.repo('staff').find({ where: { orgUnitCode }, order: { id: 'ASC' } });
  }

  /** `loaders`: a GraphQL request's batchers (relation fields), so a page of parents costs one query per kind. */
  async staffById(viewer: Viewer, id: number | null | undefined, loaders?: RequestLoaders): Promise<LedgerRow | null> {
    const staff = !id ? null : loaders ? await loaders.staff.load(Number(id)) : await this.repo('staff').findOne({ where: { id } });
    return this.policy.reachesStaff(viewer, staff?.orgUnitCode as string | undefined) ? staff : null;
  }

  async household(viewer: Viewer, id: number, loaders?: RequestLoaders): Promise<LedgerRow> {
    const row = loaders ? await loaders.household.load(Number(id)) : await this.residents.findHousehold(id);
    if (!row) throw new NotFoundError(`未找到编号为 ${id} 的户`);
    this.policy.requireRecord(viewer, row.gridCode as string, `未找到编号为 ${id} 的户`, { entity: 'household', recordId: id });
    return row;
  }

  async householdsInGrid(viewer: Viewer, gridCode: string, first: number, after: number): Promise<LedgerRow[]> {
    await this.policy.unit(viewer, gridCode, { level: 'grid' });
    return this.residents.findHouseholdsInGrid(gridCode, after, pageSize(first));
  }

  /** Visits of a resident (a field of Resident): none for one outside the viewer's reach. */
  async visitsOf(viewer: Viewer, resident: LedgerRow, loaders?: RequestLoaders): Promise<LedgerRow[]> {
    if (!this.policy.related(viewer, resident, resident.gridCode as string)) return [];
    if (loaders) return loaders.visitsOf.load(Number(resident.id));
    return this.repo('visit').find({ where: { residentId: resident.id }, order: { visitDate: 'DESC', id: 'DESC' } });
  }

  async businessesInGrid(viewer: Viewer, gridCode: string): Promise<LedgerRow[]> {
    await this.policy.unit(viewer, gridCode, { level: 'grid' });
    return this.repo('business').find({ where: { gridCode }, order: { id: 'ASC' }, take: MAX_PAGE });
  }
}
