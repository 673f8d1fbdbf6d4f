import { Inject, Injectable } from '@nestjs/common';
import { type MaskKind, maskValue } from '../access/masking.js';
import { maskKindOfType } from '../access/record-masker.js';
import { roleCan, ROLE_NAMES } from '../access/roles.js';
import { inScope, templateAllowed, type Viewer } from '../access/viewer.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { TemplateColumn, TemplateDef } from '../templates/template.types.js';

export type { Viewer } from '../access/viewer.js';

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

/**
 * The one access hook every view, typed query and export passes through: a department reaches only the forms
 * that name it, anyone only the org units within their own (outside them: NOT_FOUND, as if absent), and ID and
 * phone numbers are masked unless the account is entitled to them.
 */
@Injectable()
export class ViewAccess {
  constructor(@Inject(DICTIONARY) private readonly dictionary: Dictionary) {}

  /** A department sees only its own templates; unknown and foreign templates look the same. */
  template(viewer: Viewer | undefined, def: TemplateDef | undefined, code: string): TemplateDef {
    if (!viewer) throw new UnauthenticatedError();
    if (!roleCan(viewer.role, 'views:read')) throw new ForbiddenError(`${ROLE_NAMES[viewer.role]}无权查看部门表单`);
    if (!def || !templateAllowed(viewer, def.department)) throw new NotFoundError(`没有代码为 "${code}" 的表单`);
    return def;
  }

  listed(viewer: Viewer | undefined, defs: TemplateDef[]): TemplateDef[] {
    return viewer ? defs.filter((d) => templateAllowed(viewer, d.department)) : [];
  }

  grant(viewer: Viewer, template: TemplateDef, orgUnitCode: string): ViewGrant {
    if (!inScope(viewer, orgUnitCode)) throw new NotFoundError(`没有代码为 "${orgUnitCode}" 的区划或网格`);
    const kinds = new Map(template.columns.map((c) => [c.key, this.maskKind(c)] as const));
    const sensitive = template.columns.filter((c) => kinds.get(c.key));
    return {
      columns: template.columns,
      cell: viewer.fullValues ? (_c, value) => value : (c, value) => (kinds.get(c.key) ? maskValue(kinds.get(c.key)!, value) : value),
      revealed: viewer.fullValues ? sensitive.map((c) => c.key) : [],
      masks: !viewer.fullValues && sensitive.length > 0,
    };
  }

  /** Whether a column shows an ID or phone number: a field of that type, or a 残疾人证号 built on the ID number. */
  private maskKind(column: TemplateColumn): MaskKind | null {
    const s = column.source;
    const typeOf = (field: string) => this.dictionary.byKey.get(field)?.type;
    if (s.kind === 'field') return maskKindOfType(typeOf(s.field));
    if (s.kind === 'concat') return s.parts.some((p) => typeOf(p.field) === 'idNumber') ? 'idNumber' : null;
    return null;
  }
}
