import type { TemplateDef } from '../templates/template.types.js';

/** Who submits and who reviews a form, in Chinese, for the FORBIDDEN answer (AccessPolicy decides). */
export function submitterName(def: TemplateDef): string {
  return def.reporting.filledBy === 'community' ? '社区工作者' : '街道办事处';
}

export function reviewerName(def: TemplateDef): string {
  return def.reporting.reviewedBy === 'street' ? '街道办事处' : `区县的${def.department}`;
}
