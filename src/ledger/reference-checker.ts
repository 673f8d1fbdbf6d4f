import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { FieldError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import { type Dictionary } from '../dictionary/dictionary.types.js';
import type { Values } from '../dictionary/field-validator.js';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';
import type { OrgLevel } from './org-unit.repository.js';
import { inScope, isAncestorOfScope, type Viewer } from '../access/viewer.js';
import { levelOfCode } from './org-codes.js';

/**
 * Checks that what an input points at exists and lies within the viewer's reach: org units, staff, residents.
 * Something outside it is reported exactly as something that does not exist.
 */
@Injectable()
export class ReferenceChecker {
  constructor(@Inject(DICTIONARY) private readonly dictionary: Dictionary) {}

  async orgUnit(manager: EntityManager, viewer: Viewer, code: unknown, path: (string | number)[], key: string, level?: OrgLevel): Promise<FieldError[]> {
    const at = [...path, key];
    if (code === undefined || code === null || code === '') return [{ path: at, code: 'REQUIRED', message: `${LEVEL_NAMES[level ?? 'grid']}：必填` }];
    const unit = await manager.getRepository<LedgerRow>(ENTITY_NAMES.orgUnit).findOne({ where: { code: String(code) } });
    if (!unit || !inScope(viewer, unit.code)) return [{ path: at, code: 'UNKNOWN_ORG_UNIT', message: `没有代码为 "${code}" 的区划或网格` }];
    if (level && unit.level !== level) {
      return [{ path: at, code: 'WRONG_ORG_LEVEL', message: `"${unit.name}"（${code}）是${LEVEL_NAMES[unit.level as OrgLevel]}，这里需要${LEVEL_NAMES[level]}` }];
    }
    return [];
  }

  grid(manager: EntityManager, viewer: Viewer, gridCode: unknown, path: (string | number)[]): Promise<FieldError[]> {
    return this.orgUnit(manager, viewer, gridCode, path, 'gridCode', 'grid');
  }

  /** Staff of the viewer's area or of a unit above it (a grid worker's community cadres). */
  staffReachable(viewer: Viewer, staff: LedgerRow | null): staff is LedgerRow {
    if (!staff) return false;
    const code = String(staff.orgUnitCode);
    return inScope(viewer, code) || isAncestorOfScope(viewer, code, levelOfCode(code));
  }

  /** Checks staff and resident references among validated changes; a resident reference (an ID number) is replaced by the resident's row id. */
  async check(manager: EntityManager, viewer: Viewer, changes: Values, path: (string | number)[]): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    for (const [key, value] of Object.entries(changes)) {
      const f = this.dictionary.byKey.get(key);
      if (!f || value === null || value === undefined) continue;
      if (f.type === 'staffRef') {
        const found = await manager.getRepository<LedgerRow>(ENTITY_NAMES.staff).findOne({ where: { id: value as number } });
        if (!this.staffReachable(viewer, found)) errors.push({ path: [...path, key], code: 'UNKNOWN_STAFF', message: `${f.label}：没有编号为 ${value} 的工作人员` });
      } else if (f.type === 'residentRef') {
        const found = await manager.getRepository<LedgerRow>(ENTITY_NAMES.resident).findOne({ where: { idNumber: value as string } });
        if (!found || !inScope(viewer, found.gridCode)) errors.push({ path: [...path, key], code: 'UNKNOWN_RESIDENT', message: `${f.label}：该公民身份号码的居民尚未登记，请先登记居民` });
        else changes[key] = found.id;
      }
    }
    return errors;
  }
}

export const LEVEL_NAMES: Record<OrgLevel, string> = { district: '区县', street: '街道', community: '社区', grid: '网格' };
