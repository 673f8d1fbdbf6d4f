import { inScope, templateAllowed, type Viewer } from '../access/viewer.js';
import type { OrgUnit } from '../ledger/org-unit.repository.js';
import type { TemplateDef } from '../templates/template.types.js';

/**
 * Who may act on a report, on top of the one scoping rule (inScope: the report's org unit lies in the viewer's
 * area): the level that fills a form submits it, the level above reviews it. Pure.
 */
export function maySubmit(viewer: Viewer, def: TemplateDef, unit: OrgUnit): boolean {
  if (!inScope(viewer, unit.code)) return false;
  if (viewer.role === 'admin') return true;
  return def.reporting.filledBy === 'community' ? viewer.role === 'community_staff' : viewer.role === 'street_office';
}

/** A street office reviews its communities' reports; a district department (named by the form) a street's. */
export function mayReview(viewer: Viewer, def: TemplateDef, unit: OrgUnit): boolean {
  if (!inScope(viewer, unit.code)) return false;
  if (viewer.role === 'admin') return true;
  if (def.reporting.reviewedBy === 'street') return viewer.role === 'street_office';
  return viewer.role === 'department' && viewer.scope.length === 6 && templateAllowed(viewer, def.department);
}

/** Why not, in Chinese, for the FORBIDDEN answer. */
export function submitterName(def: TemplateDef): string {
  return def.reporting.filledBy === 'community' ? '社区工作者' : '街道办事处';
}

export function reviewerName(def: TemplateDef): string {
  return def.reporting.reviewedBy === 'street' ? '街道办事处' : `区县的${def.department}`;
}
