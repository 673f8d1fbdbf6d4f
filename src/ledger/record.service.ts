import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConflictError, DuplicateError, type FieldError, NotFoundError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { uniqueViolation } from '../database/database-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import { type Dictionary, type EntityName, storedFieldsOf } from '../dictionary/dictionary.types.js';
import { validateRecord, type Values } from '../dictionary/field-validator.js';
import { todayIso } from '../identity/index.js';
import { ENTITY_NAMES, type LedgerRow, propertyOf, recordFacts } from './entities/ledger.entities.js';
import type { OrgLevel } from './org-unit.repository.js';
import { ReferenceChecker } from './reference-checker.js';
import { inScope, type Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { RecordMasker } from '../access/record-masker.js';

/** How one simple ledger record (staff, household, visit, business) is created and updated. */
export interface RecordSpec {
  entity: EntityName;
  label: string;
  /** The org unit the record belongs to, by input key and level. */
  orgUnit?: { key: 'gridCode' | 'orgUnitCode'; level?: OrgLevel };
  /** Unique constraints → which input field a duplicate is about, and what to say. */
  unique?: { match: RegExp; path: string; message: string }[];
  /** The org unit (or grid) code deciding who may reach a stored record; by default its own org unit column. */
  scopeOf?: (row: LedgerRow, manager: EntityManager) => Promise<string | null>;
}

export interface RecordInput extends Values {
  id?: number | null;
  expectedVersion?: number | null;
}

const INPUT = ['input'];

/**
 * Creates (no `id`) or updates (`id` and `expectedVersion`) one record, validated by the dictionary; a stale
 * version is a CONFLICT, never an overwrite. `system` adds link columns the caller has already checked.
 */
@Injectable()
export class RecordService {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly references: ReferenceChecker,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
    private readonly masker: RecordMasker,
  ) {}

  find(spec: RecordSpec, id: number, manager?: EntityManager): Promise<LedgerRow | null> {
    return (manager ?? this.unitOfWork.dataSource.manager).getRepository<LedgerRow>(ENTITY_NAMES[spec.entity]).findOne({ where: { id } });
  }

  /** Whether a stored record lies within the viewer's reach. */
  async reachable(viewer: Viewer, spec: RecordSpec, row: LedgerRow, manager: EntityManager = this.unitOfWork.dataSource.manager): Promise<boolean> {
    const code = spec.scopeOf ? await spec.scopeOf(row, manager) : (row[spec.orgUnit!.key] as string);
    return inScope(viewer, code);
  }

  async upsert(
    viewer: Viewer,
    spec: RecordSpec,
    input: RecordInput,
    system?: (manager: EntityManager, errors: FieldError[]) => Promise<LedgerRow>,
  ): Promise<LedgerRow> {
    const today = todayIso();
    const { id, expectedVersion, ...rest } = input;
    const orgKey = spec.orgUnit?.key;
    const orgCode = orgKey ? rest[orgKey] : undefined;
    if (orgKey) delete rest[orgKey];
    try {
      return await this.unitOfWork.run(async (manager) => {
        const stored = id ? await this.find(spec, id, manager) : null;
        if (id && (!stored || !(await this.reachable(viewer, spec, stored, manager)))) throw new NotFoundError(`未找到编号为 ${id} 的${spec.label}`);
        const errors: FieldError[] = [];
        if (stored && (expectedVersion === undefined || expectedVersion === null)) {
          errors.push({ path: [...INPUT, 'expectedVersion'], code: 'REQUIRED', message: `修改${spec.label}时须提供 expectedVersion（当前版本 ${stored.version}）` });
        }
        const current = stored ? this.fieldsOf(spec, stored) : null;
        const checked = validateRecord(this.dictionary, [spec.entity], rest, current, today, INPUT);
        errors.push(...checked.errors, ...(await this.references.check(manager, viewer, checked.changes, INPUT)));
        if (orgKey && (!stored || orgCode !== undefined)) {
          errors.push(...(await this.references.orgUnit(manager, viewer, orgCode, INPUT, orgKey, spec.orgUnit!.level)));
        }
        const systemValues = system ? await system(manager, errors) : {};
        if (errors.length) throw new ValidationFailedError(errors);

        const values: LedgerRow = { ...systemValues };
        for (const f of storedFieldsOf(this.dictionary, spec.entity)) if (f.key in checked.changes) values[propertyOf(f)] = checked.changes[f.key];
        if (orgKey && orgCode !== undefined) values[orgKey] = orgCode;
        const repo = manager.getRepository<LedgerRow>(ENTITY_NAMES[spec.entity]);
        if (!stored) {
          const result = await manager.createQueryBuilder().insert().into(ENTITY_NAMES[spec.entity]).values(values).execute();
          const created = (await this.find(spec, result.identifiers[0].id, manager))!;
          await this.audit.recordChange(manager, viewer, spec.entity, created.id, null, recordFacts(this.dictionary, spec.entity, created));
          return created;
        }
        if (stored.version !== expectedVersion) throw new ConflictError(spec.label, stored.version, expectedVersion!, stored);
        const updated = await manager
          .createQueryBuilder()
          .update(ENTITY_NAMES[spec.entity])
          .set(values)
          .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
          .execute();
        const latest = (await repo.findOne({ where: { id: id! } }))!;
        if (updated.affected !== 1) throw new ConflictError(spec.label, latest.version, expectedVersion!, latest);
        await this.audit.recordChange(manager, viewer, spec.entity, latest.id, recordFacts(this.dictionary, spec.entity, stored), recordFacts(this.dictionary, spec.entity, latest));
        return latest;
      });
    } catch (e) {
      // The current values go back masked (or, in full, as an audited reveal) once the transaction is over.
      if (e instanceof ConflictError && e.current) throw e.withCurrent(await this.masker.record(viewer, e.current, spec.entity));
      const unique = uniqueViolation(e);
      const known = unique && spec.unique?.find((u) => u.match.test(unique.constraint));
      if (known) throw new DuplicateError(known.message, [...INPUT, known.path]);
      throw e;
    }
  }

  /** A stored row keyed by dictionary keys, as the validator sees a record. */
  private fieldsOf(spec: RecordSpec, row: LedgerRow): Values {
    return Object.fromEntries(storedFieldsOf(this.dictionary, spec.entity).map((f) => [f.key, row[propertyOf(f)]]));
  }
}
