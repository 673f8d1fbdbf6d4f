import { AccessPolicy } from '../../access/access-policy.js';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import type { Viewer } from '../../access/viewer.js';
import { AuditService } from '../../audit/audit.service.js';
import { ConflictError, type FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { DICTIONARY } from '../../dictionary/dictionary.module.js';
import { type Dictionary, storedFieldsOf } from '../../dictionary/dictionary.types.js';
import { validateRecord, type Values } from '../../dictionary/field-validator.js';
import { parseIdNumber, todayIso } from '../../identity/index.js';
import { ENTITY_NAMES, type LedgerRow, propertyOf, recordFacts } from '../entities/ledger.entities.js';
import type { RecordLink, RecordSpec } from '../ledger-records.js';
import { ReferenceChecker, type References, ReferenceWants } from '../reference-checker.js';
import { type AuditLine, CHUNK, type CommandOptions } from './command-options.js';
import { ChangeLog, type Touched } from '../../feeds/change-log.js';

/** One change to one record (staff, household, visit, business). */
export interface RecordChange {
  /** Absent for a new record; with `expectedVersion`, the record to change. */
  id?: number | null;
  expectedVersion?: number | null;
  /** Dictionary fields and the org unit code (under the spec's key), as given: only these change, null clears. */
  fields: Values;
  /** The spec's links by column: a resident by ID number (a string, as typed) or by row id; staff by id. */
  links?: Partial<Record<RecordLink['column'], unknown>>;
  /** Where errors point: ['input'] for the API. */
  path?: (string | number)[];
}

interface Planned {
  change: RecordChange;
  stored: LedgerRow | null;
  /** The columns to write. */
  values: LedgerRow;
}

const INPUT = ['input'];

/**
 * The one way simple records change, for the API and imports alike, inside the caller's transaction: validated by
 * the dictionary, org unit and links checked within the viewer's reach, a stale version a CONFLICT (never an
 * overwrite), every change audited with the record's facts before and after.
 */
@Injectable()
export class RecordCommands {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly references: ReferenceChecker,
    private readonly audit: AuditService,
    private readonly policy: AccessPolicy,
    private readonly changeLog: ChangeLog,
  ) {}

  /** Saves every change or none (the caller's transaction rolls back on the first error); the rows as stored, in input order. */
  async save(manager: EntityManager, viewer: Viewer, spec: RecordSpec, changes: RecordChange[], options: CommandOptions = {}): Promise<LedgerRow[]> {
    const today = options.today ?? todayIso();
    const saved: LedgerRow[] = [];
    for (let start = 0; start < changes.length; start += CHUNK) {
      const lines: AuditLine[] = [];
      const visitResidents: number[] = [];
      for (const p of await this.plan(manager, viewer, spec, changes.slice(start, start + CHUNK), today)) {
        const row = p.stored ? await this.update(manager, spec, p) : await this.create(manager, spec, p);
        lines.push({ recordId: row.id, before: p.stored ? recordFacts(this.dictionary, spec.entity, p.stored) : null, after: recordFacts(this.dictionary, spec.entity, row) });
        if (spec.entity === 'visit') visitResidents.push(...[p.stored?.residentId, row.residentId].filter((id) => id !== null && id !== undefined).map(Number));
        saved.push(row);
      }
      await this.audit.recordChanges(manager, viewer, spec.entity, lines);
      await this.changeLog.record(manager, touchedBy(spec, lines.map((l) => l.recordId), visitResidents), today);
      options.onProgress?.(Math.min(start + CHUNK, changes.length));
    }
    return saved;
  }

  /** Reads the stored records and references of a batch, then checks each change: nothing is written yet. */
  private async plan(manager: EntityManager, viewer: Viewer, spec: RecordSpec, changes: RecordChange[], today: string): Promise<Planned[]> {
    const ids = changes.flatMap((c) => (c.id ? [c.id] : []));
    const rows = ids.length ? await manager.getRepository<LedgerRow>(ENTITY_NAMES[spec.entity]).findBy({ id: In(ids) }) : [];
    const stored = new Map(rows.map((r) => [r.id as number, r]));
    const orgKey = spec.orgUnit?.key;
    const wants = new ReferenceWants();
    const checked = changes.map((change) => {
      const { [orgKey ?? '']: orgCode, ...fields } = change.fields; // without an org unit: nothing taken out
      const row = change.id ? (stored.get(change.id) ?? null) : null;
      if (row && !orgKey) wants.residentIds.add(row.residentId);
      const current = row ? Object.fromEntries(storedFieldsOf(this.dictionary, spec.entity).map((f) => [f.key, row[propertyOf(f)]])) : null;
      const result = validateRecord(this.dictionary, [spec.entity], fields, current, today, change.path ?? INPUT);
      this.references.want(wants, result.changes);
      if (orgKey && orgCode) wants.orgUnits.add(String(orgCode));
      for (const link of spec.links ?? []) this.wantLink(wants, link, change.links?.[link.column]);
      return { change, row, orgCode, result };
    });

    const refs = await this.references.load(manager, wants);
    const errors: FieldError[] = [];
    const planned = checked.map(({ change, row, orgCode, result }) => {
      if (change.id && !row) throw new NotFoundError(`未找到编号为 ${change.id} 的${spec.label}`);
      if (change.id) {
        const code = (orgKey ? row![orgKey] : refs.residentsById.get(row!.residentId as number)?.gridCode) as string | undefined;
        this.policy.requireRecord(viewer, code, `未找到编号为 ${change.id} 的${spec.label}`, { entity: spec.entity, recordId: change.id });
      }
      const path = change.path ?? INPUT;
      if (row && (change.expectedVersion === undefined || change.expectedVersion === null)) {
        errors.push({ path: [...path, 'expectedVersion'], code: 'REQUIRED', message: `修改${spec.label}时须提供 expectedVersion（当前版本 ${row.version}）` });
      }
      errors.push(...result.errors, ...this.references.fields(refs, viewer, result.changes, path));
      if (orgKey && (!row || orgCode !== undefined)) errors.push(...this.references.orgUnit(refs, viewer, orgCode, path, orgKey, spec.orgUnit!.level));
      const values: LedgerRow = {};
      for (const link of spec.links ?? []) this.checkLink(refs, viewer, link, change.links?.[link.column], path, errors, values);
      for (const f of storedFieldsOf(this.dictionary, spec.entity)) if (f.key in result.changes) values[propertyOf(f)] = result.changes[f.key];
      if (orgKey && orgCode !== undefined) values[orgKey] = orgCode;
      return { change, stored: row, values };
    });
    if (errors.length) throw new ValidationFailedError(errors);
    for (const { change, stored: row } of planned) {
      if (row && row.version !== change.expectedVersion) throw new ConflictError(spec.label, row.version, change.expectedVersion!, row);
    }
    return planned;
  }

  private wantLink(wants: ReferenceWants, link: RecordLink, value: unknown): void {
    if (link.kind === 'staff' && typeof value === 'number') wants.staff.add(value);
    if (link.kind === 'resident' && typeof value === 'number') wants.residentIds.add(value);
    const parsed = link.kind === 'resident' && typeof value === 'string' ? parseIdNumber(value) : null;
    if (parsed?.ok) wants.residentIdNumbers.add(parsed.value.idNumber);
  }

  /** A link given, valid and within reach goes into `values`; otherwise an error as for something that does not exist. */
  private checkLink(refs: References, viewer: Viewer, link: RecordLink, value: unknown, path: (string | number)[], errors: FieldError[], values: LedgerRow): void {
    const at = [...path, link.input];
    if (!value) {
      errors.push({ path: at, code: 'REQUIRED', message: `${link.label}：必填（${link.by}）` });
    } else if (link.kind === 'staff') {
      const staff = refs.staff.get(Number(value));
      if (this.references.staffReachable(viewer, staff)) values.staffId = staff.id;
      else errors.push({ path: at, code: 'UNKNOWN_STAFF', message: `${link.label}：没有编号为 ${value} 的工作人员` });
    } else {
      const parsed = typeof value === 'string' ? parseIdNumber(value) : null;
      const resident = parsed ? (parsed.ok ? refs.residentsByIdNumber.get(parsed.value.idNumber) : null) : refs.residentsById.get(Number(value));
      if (parsed && !parsed.ok) errors.push({ path: at, code: parsed.code, message: `${link.label}：${parsed.message}` });
      else if (this.references.residentReachable(viewer, resident)) values.residentId = resident.id;
      else errors.push({ path: at, code: 'UNKNOWN_RESIDENT', message: `${link.label}：该公民身份号码的居民尚未登记` });
    }
  }

  private async create(manager: EntityManager, spec: RecordSpec, { values }: Planned): Promise<LedgerRow> {
    const result = await manager.createQueryBuilder().insert().into(ENTITY_NAMES[spec.entity]).values(values).execute();
    return (await this.find(manager, spec, result.identifiers[0].id))!;
  }

  private async update(manager: EntityManager, spec: RecordSpec, { change, values }: Planned): Promise<LedgerRow> {
    const { id, expectedVersion } = change;
    const updated = await manager.createQueryBuilder().update(ENTITY_NAMES[spec.entity]).set(values).where('id = :id AND version = :expectedVersion', { id, expectedVersion }).execute();
    const latest = (await this.find(manager, spec, id!))!;
    if (updated.affected !== 1) throw new ConflictError(spec.label, latest.version, expectedVersion!, latest);
    return latest;
  }

  private find(manager: EntityManager, spec: RecordSpec, id: number): Promise<LedgerRow | null> {
    return manager.getRepository<LedgerRow>(ENTITY_NAMES[spec.entity]).findOne({ where: { id } });
  }
}

/** What a batch of simple records changed, for the forms' change feeds. */
function touchedBy(spec: RecordSpec, ids: number[], visitResidents: number[]): Touched {
  switch (spec.entity) {
    case 'staff':
      return { staff: ids };
    case 'household':
      return { households: ids };
    case 'visit':
      return { visits: ids, visitResidents };
    case 'business':
      return { businesses: ids };
    default:
      return { residents: ids };
  }
}
