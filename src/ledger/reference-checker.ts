import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { FieldError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import { type Dictionary } from '../dictionary/dictionary.types.js';
import type { Values } from '../dictionary/field-validator.js';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';
import type { OrgLevel } from './org-unit.repository.js';
import { AccessPolicy } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import { ResidentRepository } from './resident.repository.js';

/** What a batch of changes points at, gathered first so that it is read in a few queries, not one per row. */
export class ReferenceWants {
  readonly orgUnits = new Set<string>();
  readonly staff = new Set<number>();
  readonly residentIdNumbers = new Set<string>();
  readonly residentIds = new Set<number>();
}

/** The rows a batch points at, as its transaction sees them. */
export interface References {
  orgUnits: Map<string, LedgerRow>;
  staff: Map<number, LedgerRow>;
  residentsByIdNumber: Map<string, LedgerRow>;
  residentsById: Map<number, LedgerRow>;
}

type Path = (string | number)[];

/**
 * Checks that what an input points at exists and lies within the viewer's reach: org units, staff, residents.
 * Something outside it is reported exactly as something that does not exist.
 */
@Injectable()
export class ReferenceChecker {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly residents: ResidentRepository,
    private readonly policy: AccessPolicy,
  ) {}

  /** Adds the staff and residents that validated dictionary changes point at. */
  want(wants: ReferenceWants, changes: Values): void {
    for (const [key, value] of Object.entries(changes)) {
      const type = this.dictionary.byKey.get(key)?.type;
      if (value === null || value === undefined) continue;
      if (type === 'staffRef') wants.staff.add(Number(value));
      else if (type === 'residentRef') wants.residentIdNumbers.add(String(value));
    }
  }

  async load(manager: EntityManager, wants: ReferenceWants): Promise<References> {
    const byKey = <K>(rows: LedgerRow[], key: string) => new Map<K, LedgerRow>(rows.map((r) => [r[key] as K, r]));
    const find = (entity: keyof typeof ENTITY_NAMES, key: string, values: Set<unknown>) =>
      values.size ? manager.getRepository<LedgerRow>(ENTITY_NAMES[entity]).findBy({ [key]: In([...values]) }) : Promise.resolve([]);
    return {
      orgUnits: byKey(await find('orgUnit', 'code', wants.orgUnits), 'code'),
      staff: byKey(await find('staff', 'id', wants.staff), 'id'),
      residentsByIdNumber: byKey(wants.residentIdNumbers.size ? await this.residents.findByIdNumbers(manager, [...wants.residentIdNumbers]) : [], 'idNumber'),
      residentsById: byKey(wants.residentIds.size ? await this.residents.findByIds(manager, [...wants.residentIds]) : [], 'id'),
    };
  }

  orgUnit(refs: References, viewer: Viewer, code: unknown, path: Path, key: string, level?: OrgLevel): FieldError[] {
    const at = [...path, key];
    if (code === undefined || code === null || code === '') return [{ path: at, code: 'REQUIRED', message: `${LEVEL_NAMES[level ?? 'grid']}：必填` }];
    const unit = refs.orgUnits.get(String(code));
    if (!unit || !this.policy.reaches(viewer, unit.code as string)) return [{ path: at, code: 'UNKNOWN_ORG_UNIT', message: `没有代码为 "${code}" 的区划或网格` }];
    if (level && unit.level !== level) {
      return [{ path: at, code: 'WRONG_ORG_LEVEL', message: `"${unit.name}"（${code}）是${LEVEL_NAMES[unit.level as OrgLevel]}，这里需要${LEVEL_NAMES[level]}` }];
    }
    return [];
  }

  /** Staff of the viewer's area or of a unit above it (a grid worker's community cadres). */
  staffReachable(viewer: Viewer, staff: LedgerRow | null | undefined): staff is LedgerRow {
    return !!staff && this.policy.reachesStaff(viewer, staff.orgUnitCode as string);
  }

  residentReachable(viewer: Viewer, resident: LedgerRow | null | undefined): resident is LedgerRow {
    return !!this.policy.related(viewer, resident, resident?.gridCode as string | undefined);
  }

  /** Checks staff and resident references among validated changes; a resident reference (an ID number) is replaced by the resident's row id. */
  fields(refs: References, viewer: Viewer, changes: Values, path: Path): FieldError[] {
    const errors: FieldError[] = [];
    for (const [key, value] of Object.entries(changes)) {
      const f = this.dictionary.byKey.get(key);
      if (!f || value === null || value === undefined) continue;
      if (f.type === 'staffRef') {
        if (!this.staffReachable(viewer, refs.staff.get(Number(value)))) errors.push({ path: [...path, key], code: 'UNKNOWN_STAFF', message: `${f.label}：没有编号为 ${value} 的工作人员` });
      } else if (f.type === 'residentRef') {
        const found = refs.residentsByIdNumber.get(String(value));
        if (!this.residentReachable(viewer, found)) errors.push({ path: [...path, key], code: 'UNKNOWN_RESIDENT', message: `${f.label}：该公民身份号码的居民尚未登记，请先登记居民` });
        else changes[key] = found.id;
      }
    }
    return errors;
  }
}

export const LEVEL_NAMES: Record<OrgLevel, string> = { district: '区县', street: '街道', community: '社区', grid: '网格' };
