export const FIELD_TYPES = [
  'text', 'idNumber', 'creditCode', 'phone', 'code', 'boolean', 'integer', 'decimal', 'date', 'month', 'staffRef', 'residentRef',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const ENTITIES = ['resident', 'household', 'visit', 'business', 'staff'] as const;
export type EntityName = (typeof ENTITIES)[number];

export const SENSITIVITIES = ['ordinary', 'personal', 'sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** A condition on another field of the same record (after the input is merged onto what is stored). */
export interface Condition {
  field: string;
  in?: string[];
  present?: boolean;
  equals?: boolean | number | string;
}

export interface FieldDef {
  key: string;
  label: string;
  entity: EntityName;
  section: string;
  type: FieldType;
  required: boolean;
  sensitivity: Sensitivity;
  codeList?: string;
  maxLength?: number;
  min?: number;
  max?: number;
  scale?: number;
  derivedFrom?: string;
  notAfterToday?: boolean;
  notBefore?: string;
  onlyWhen?: Condition;
  requiredWhen?: Condition;
  help?: string;
  /** Changed only by its own commands (注销, 恢复): on output, never in the one form, upsert inputs or imports. */
  readOnly?: boolean;
  /** Other header wordings for this field on departments' blank forms (身份证号, 身份证号码): the template drafter reads them. */
  aliases?: string[];
  /** Storage column: snake_case of the key; references end in `_id`. Absent for derived fields. */
  column?: string;
}

export interface CodeItem {
  code: string;
  name: string;
}

export interface CodeList {
  key: string;
  name: string;
  standard: string;
  items: CodeItem[];
  byCode: Map<string, CodeItem>;
  byName: Map<string, CodeItem>;
}

export interface Section {
  key: string;
  label: string;
}

export interface Dictionary {
  sections: Section[];
  fields: FieldDef[];
  byKey: Map<string, FieldDef>;
  codeLists: Map<string, CodeList>;
}

export function fieldsOf(dictionary: Dictionary, ...entities: EntityName[]): FieldDef[] {
  return dictionary.fields.filter((f) => entities.includes(f.entity));
}

/** Fields that have a column of their own (not derived). */
export function storedFieldsOf(dictionary: Dictionary, ...entities: EntityName[]): FieldDef[] {
  return fieldsOf(dictionary, ...entities).filter((f) => f.column);
}
