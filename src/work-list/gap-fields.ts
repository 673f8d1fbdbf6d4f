import type { Condition as FieldCondition, Dictionary, FieldDef } from '../dictionary/dictionary.types.js';
import type { Condition, TemplateDef } from '../templates/template.types.js';

/** A fact a person can type into the one form that a form's column shows: empty in the ledger, a gap on the work list. */
export interface GapField {
  field: FieldDef;
  /** The field applies only when this holds (the dictionary's onlyWhen): otherwise it cannot be filled, so it is no gap. */
  when: Condition | null;
}

/** Entities the one form writes for a resident (their household's facts included). */
const ONE_FORM_ENTITIES = new Set(['resident', 'household']);

/**
 * The columns of a resident form a person fills, as dictionary fields, once each, in column order. Left out: row
 * numbers, ages, org unit names, latest visits, counts, concatenations and bands (derived), fields derived from the ID
 * number or changed only by their own commands (注销), yes/no columns (a 享受/不享受 answer is given when known; an
 * unanswered one prints empty, or the template's `empty` word, and is not chased here), and columns the template
 * marks `optional` (备注). A related record's column (包联干部's name and
 * phone) is filled by choosing the record: the reference field of the same name is the gap.
 */
export function gapFields(def: TemplateDef, dict: Dictionary): GapField[] {
  if (def.rows.kind !== 'rows' || def.rows.entity !== 'resident') return [];
  const found = new Map<string, GapField>();
  for (const column of def.columns) {
    const s = column.source;
    if (s.kind !== 'field' || column.optional) continue;
    const field = s.related ? dict.byKey.get(s.related) : dict.byKey.get(s.field);
    if (!field || !field.column || field.derivedFrom || field.readOnly || !ONE_FORM_ENTITIES.has(field.entity)) continue;
    if (!s.related && field.type === 'boolean' && s.format?.kind === 'yesNo') continue;
    if (!found.has(field.key)) found.set(field.key, { field, when: field.onlyWhen ? asCondition(field.onlyWhen) : null });
  }
  return [...found.values()];
}

function asCondition(c: FieldCondition): Condition {
  if (c.in) return { kind: 'field', field: c.field, in: c.in };
  if (c.present !== undefined) return { kind: 'field', field: c.field, present: c.present };
  return { kind: 'field', field: c.field, equals: c.equals };
}
