import { Inject, Injectable } from '@nestjs/common';
import { type DeniedLookup, OutOfAreaError } from '../audit/denied-lookup.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { codePrefix, levelOfCode } from '../ledger/org-codes.js';
import { type OrgLevel, type OrgUnit, OrgUnitRepository } from '../ledger/org-unit.repository.js';
import type { TemplateColumn, TemplateDef } from '../templates/template.types.js';
import { type MaskKind, maskValue } from './masking.js';
import { maskKindOfType } from './record-masker.js';
import { type Permission, roleCan, ROLE_NAMES } from './roles.js';
import type { Viewer } from './viewer.js';

declare const GRANTED: unique symbol;

/**
 * The codes of one org unit's subtree, [from, to): what repositories filter by. Only this file makes one, from a
 * unit the viewer may reach, so a repository that takes a CodeRange cannot be handed an unchecked prefix.
 */
export interface CodeRange {
  readonly prefix: string;
  readonly from: string;
  readonly to: string;
  readonly [GRANTED]: true;
}

/** An org unit the viewer may reach, with the range of codes beneath it. */
export type GrantedUnit = OrgUnit & { readonly range: CodeRange };

/** What a viewer gets of a department form: its columns and each cell through the masking rule. */
export interface ViewGrant {
  /** The columns this viewer may see, in the form's order. */
  columns: TemplateColumn[];
  /** Applied to every cell value before it leaves the server (masking). */
  cell(column: TemplateColumn, value: unknown): unknown;
  /** Columns whose full ID or phone numbers this viewer gets: each answer with them is an audited reveal. */
  revealed: string[];
  /** Whether `cell` changes any value (some column is masked for this viewer). */
  masks: boolean;
}

export const PERMISSION_NAMES: Record<Permission, string> = {
  'ledger:read': '查看台账',
  'ledger:write': '录入台账',
  'ledger:transfer': '迁移居民',
  'staff:write': '维护工作人员',
  'views:read': '查看部门表单',
  export: '导出',
  import: '导入',
  'accounts:manage': '管理账号',
  'audit:read': '查看审计日志',
  'reports:read': '查看报表报送情况',
  'reports:submit': '报送报表',
  'reports:review': '审核报表',
};

const unitNotFound = (code: string) => new NotFoundError(`没有代码为 "${code}" 的区划或网格`);

/** Whether a code (an org unit's, or a record's grid) lies within the viewer's area. */
function within(viewer: Viewer, code: string | null | undefined): boolean {
  return typeof code === 'string' && code.startsWith(viewer.scope);
}

/** Whether the unit is one of the viewer's own unit's ancestors (seen on the way down to the viewer's area). */
function above(viewer: Viewer, code: string, level: OrgLevel = levelOfCode(code)): boolean {
  return viewer.scope.startsWith(codePrefix(code, level));
}

function rangeOf(unit: OrgUnit): CodeRange {
  const prefix = codePrefix(unit.code, unit.level);
  return { prefix, from: prefix, to: `${prefix}:` } as CodeRange;
}

/**
 * The codes from one grid to another of a granted range, both ends included: part of what was granted, never more
 * (summary forms count only the grids whose cached counts are out of date).
 */
export function gridsWithin(range: CodeRange, firstGrid: string, lastGrid: string): CodeRange {
  const to = `${lastGrid}:`;
  if (firstGrid < range.from || to > range.to || firstGrid > lastGrid) throw new Error(`网格 ${firstGrid}–${lastGrid} 不在授权范围 ${range.from}–${range.to} 内`);
  return { prefix: range.prefix, from: firstGrid, to } as CodeRange;
}

/** Whether the viewer gets full ID and phone numbers (each answer with them is an audited reveal); masked otherwise. */
export function seesFullValues(viewer: Viewer | undefined): boolean {
  return !!viewer?.fullValues;
}

/** A department account reaches only the forms that name its department. */
function formAllowed(viewer: Viewer, department: string): boolean {
  if (viewer.role !== 'department') return true;
  return department.split(/[、,，/]/).map((d) => d.trim()).includes(viewer.department ?? '');
}

/**
 * The one place that decides what a viewer may see or touch (compare Immich's requireAccess): role permissions (the
 * global guard and the templates' typed queries ask here), org units and the code ranges repositories filter by,
 * single records (outside the area: NOT_FOUND, audited as denied_lookup), relations, department forms, masking, and
 * who submits and reviews a report. Services ask; they never compare codes or roles themselves
 * (test/unit/access/one-policy.spec.ts fails the build if one does).
 */
@Injectable()
export class AccessPolicy {
  /** Dictionary fields holding ID or phone numbers; a resident reference is written to history as an ID number. */
  private readonly maskKinds: Map<string, MaskKind>;

  constructor(
    private readonly orgUnits: OrgUnitRepository,
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
  ) {
    this.maskKinds = new Map(dictionary.fields.flatMap((f) => {
      const kind = f.type === 'residentRef' ? 'idNumber' : maskKindOfType(f.type);
      return kind ? [[f.key, kind] as const] : [];
    }));
  }

  // ── Permissions ────────────────────────────────────────────────────────────────────────────────────────────

  /** The viewer, if logged in and their role holds the permission; UNAUTHENTICATED or FORBIDDEN otherwise. */
  requirePermission(viewer: Viewer | undefined, permission: Permission | undefined): Viewer {
    if (!viewer) throw new UnauthenticatedError();
    if (!permission || !roleCan(viewer.role, permission)) {
      throw new ForbiddenError(`${ROLE_NAMES[viewer.role]}无权${permission ? PERMISSION_NAMES[permission] : '执行此操作'}`);
    }
    return viewer;
  }

  // ── Org units ──────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * An org unit within the viewer's area, with its code range; NOT_FOUND for an absent one and one outside alike.
   * `navigate` also admits the units above the viewer's own (the org tree, the cadres of a grid's community).
   */
  async unit(viewer: Viewer, code: string, options: { navigate?: boolean; level?: OrgLevel } = {}): Promise<GrantedUnit> {
    // The account's own unit was read with the account for this request: a pull of the viewer's district reads it once.
    const own = viewer.ownUnit && viewer.ownUnit.code === code ? viewer.ownUnit : undefined;
    return this.granted(viewer, own ?? (code ? await this.orgUnits.findByCode(code) : null), code, options);
  }

  /** The same decision for a unit the caller has already read (its lineage, say). */
  granted(viewer: Viewer, unit: OrgUnit | null | undefined, code: string, options: { navigate?: boolean; level?: OrgLevel } = {}): GrantedUnit {
    if (!unit || !(within(viewer, unit.code) || (options.navigate && above(viewer, unit.code, unit.level)))) throw unitNotFound(code);
    if (options.level && unit.level !== options.level) throw unitNotFound(code);
    return { ...unit, range: rangeOf(unit) };
  }

  /** Whether the viewer sees a unit in the org tree: their area and the units above it. */
  seesUnit(viewer: Viewer, unit: OrgUnit | null | undefined): unit is OrgUnit {
    return !!unit && (within(viewer, unit.code) || above(viewer, unit.code, unit.level));
  }

  /** The unit and the whole subtree of a record's grid: a resident's forms are looked up in it. */
  gridRange(viewer: Viewer, gridCode: string): CodeRange {
    if (!within(viewer, gridCode)) throw unitNotFound(gridCode);
    return { prefix: gridCode, from: gridCode, to: `${gridCode}:` } as CodeRange;
  }

  /**
   * The whole ledger's range, for a viewer that reaches everything (the server itself: change feeds compute every
   * form's rows once for all viewers, and each viewer then reads its own range). FORBIDDEN for anyone else.
   */
  ledgerRange(viewer: Viewer): CodeRange {
    if (viewer.scope !== '') throw new ForbiddenError('只有系统或管理员可以读取整个台账');
    return { prefix: '', from: '', to: ':' } as CodeRange;
  }

  // ── Records ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Whether a record of that org unit or grid is the viewer's to see and change (rows already read, in bulk). */
  reaches(viewer: Viewer, code: string | null | undefined): boolean {
    return within(viewer, code);
  }

  /**
   * A stored record the viewer asked for by its key: passes within the area; outside it the answer is the same
   * NOT_FOUND as for a missing record, and the server audits the lookup (denied_lookup).
   */
  requireRecord(viewer: Viewer, code: string | null | undefined, message: string, lookup: DeniedLookup): void {
    if (!within(viewer, code)) throw new OutOfAreaError(message, lookup);
  }

  /** A related record (a visit's resident, a business's operator): itself within the area, otherwise null. */
  related<T>(viewer: Viewer, row: T | null | undefined, code: string | null | undefined): T | null {
    return row && within(viewer, code) ? row : null;
  }

  /** Staff are seen in the viewer's area and in the units above it (a grid worker's community cadres). */
  reachesStaff(viewer: Viewer, orgUnitCode: string | null | undefined): boolean {
    return typeof orgUnitCode === 'string' && (within(viewer, orgUnitCode) || above(viewer, orgUnitCode));
  }

  // ── Department forms and masking ───────────────────────────────────────────────────────────────────────────

  /** A template as the viewer may see it: NOT_FOUND for an unknown one and for another department's alike. */
  template(viewer: Viewer | undefined, def: TemplateDef | undefined, code: string): TemplateDef {
    this.requirePermission(viewer, 'views:read');
    if (!def || !formAllowed(viewer!, def.department)) throw new NotFoundError(`没有代码为 "${code}" 的表单`);
    return def;
  }

  templates(viewer: Viewer | undefined, defs: TemplateDef[]): TemplateDef[] {
    return viewer ? defs.filter((d) => formAllowed(viewer, d.department)) : [];
  }

  /** A form's rows for an org unit: the unit must be in the viewer's area; ID and phone numbers masked unless entitled. */
  grant(viewer: Viewer, template: TemplateDef, orgUnitCode: string): ViewGrant {
    if (!within(viewer, orgUnitCode)) throw unitNotFound(orgUnitCode);
    const kinds = new Map(template.columns.map((c) => [c.key, this.columnMaskKind(c)] as const));
    const sensitive = template.columns.filter((c) => kinds.get(c.key));
    const full = seesFullValues(viewer);
    return {
      columns: template.columns,
      cell: full ? (_c, value) => value : (c, value) => {
        const kind = kinds.get(c.key);
        return kind ? maskValue(kind, value) : value;
      },
      revealed: full ? sensitive.map((c) => c.key) : [],
      masks: !full && sensitive.length > 0,
    };
  }

  /** What every viewer without full values gets of a form (change feeds compare rows as such viewers see them). */
  maskedGrant(template: TemplateDef): ViewGrant {
    const kinds = new Map(template.columns.map((c) => [c.key, this.columnMaskKind(c)] as const));
    return {
      columns: template.columns,
      cell: (c, value) => (kinds.get(c.key) ? maskValue(kinds.get(c.key)!, value) : value),
      revealed: [],
      masks: [...kinds.values()].some(Boolean),
    };
  }

  /** One dictionary field's value as the viewer may see it (an import preview's cells, a history entry's values). */
  field(viewer: Viewer, field: string, value: unknown): unknown {
    const kind = seesFullValues(viewer) ? null : this.maskKinds.get(field);
    return kind ? maskValue(kind, value) : value;
  }

  /** History entries with each change's before and after through `field`. */
  history<T extends { changes: { field: string; before: unknown; after: unknown }[] | null }>(viewer: Viewer, records: T[]): T[] {
    if (seesFullValues(viewer)) return records;
    return records.map((r) => ({ ...r, changes: r.changes?.map((c) => ({ ...c, before: this.field(viewer, c.field, c.before), after: this.field(viewer, c.field, c.after) })) ?? null }));
  }

  /** Whether a column shows an ID or phone number: a field of that type, or a 残疾人证号 built on the ID number. */
  private columnMaskKind(column: TemplateColumn): MaskKind | null {
    const s = column.source;
    const typeOf = (field: string) => this.dictionary.byKey.get(field)?.type;
    if (s.kind === 'field') return maskKindOfType(typeOf(s.field));
    if (s.kind === 'concat') return s.parts.some((p) => typeOf(p.field) === 'idNumber') ? 'idNumber' : null;
    return null;
  }

  // ── Reports ────────────────────────────────────────────────────────────────────────────────────────────────

  /** The level that fills a form submits it, for a unit in its area. */
  maySubmit(viewer: Viewer, def: TemplateDef, unit: OrgUnit): boolean {
    if (!within(viewer, unit.code)) return false;
    if (viewer.role === 'admin') return true;
    return def.reporting.filledBy === 'community' ? viewer.role === 'community_staff' : viewer.role === 'street_office';
  }

  /** A street office reviews its communities' reports; a district department (named by the form) a street's. */
  mayReview(viewer: Viewer, def: TemplateDef, unit: OrgUnit): boolean {
    if (!within(viewer, unit.code)) return false;
    if (viewer.role === 'admin') return true;
    if (def.reporting.reviewedBy === 'street') return viewer.role === 'street_office';
    return viewer.role === 'department' && viewer.scope.length === 6 && formAllowed(viewer, def.department);
  }

  /** A department account with full values must say why it exports (the reason is audited with the file). */
  exportNeedsReason(viewer: Viewer): boolean {
    return viewer.fullValues && viewer.role === 'department';
  }
}
