import type { EntityName, FieldType, Sensitivity } from '../../dictionary/dictionary.types.js';
import type { ViewEntity } from '../template.types.js';

/** A column's source as the template YAML writes it, without its key: `{ field: idNumber }`, `{ age: true }`… */
export type SourceEntry = Record<string, unknown>;

export interface Alternative {
  source: SourceEntry;
  /** 0–1: how sure the drafter is (1: the header is the field's label or one of its aliases). */
  confidence: number;
}

export interface DraftColumn {
  /** 1-based, as the blank form's columns are counted (A = 1). */
  index: number;
  /** The leaf header, e.g. 姓名. */
  header: string;
  /** Group headers above it, outermost first, e.g. ['紧急联系人']. */
  groups: string[];
  /** The proposal, or null when nothing fits (a new field is then proposed for detail forms). */
  source: SourceEntry | null;
  confidence: number;
  /** The runner-up first. */
  alternatives: Alternative[];
  /** The column's key in the YAML. */
  key: string;
  /** What a person should check (Chinese). */
  note?: string;
}

/** A dictionary field the blank form asks for and the dictionary lacks. */
export interface NewField {
  index: number;
  key: string;
  label: string;
  type: FieldType;
  entity: EntityName;
  section: string;
  sensitivity: Sensitivity;
  maxLength?: number;
  scale?: number;
  min?: number;
}

export interface DraftLayout {
  file: string;
  sheetName: string;
  /** The blank title, e.g. ____街道____社区困难群众救助对象花名册. */
  title: string;
  /** The title without its blanks: the form's proposed name. */
  name: string;
  headerRows: [number, number];
  /** A detail form (one row per record) or a summary (one row per community or grid). */
  kind: 'rows' | 'summary';
  entity: ViewEntity;
  groupBy?: 'community' | 'grid';
  /** A summary's grouped counts count this form's rows (V03: F07). */
  countsForm?: string;
  /** Guessed from the subtitle and notes (（____年第____季度）, 按季度). */
  frequency: 'month' | 'quarter' | 'year';
  /** An age the title names (60岁以上): a likely row filter. */
  ageFrom?: number;
}

export interface TemplateDraft {
  code: string;
  layout: DraftLayout;
  columns: DraftColumn[];
  newFields: NewField[];
}
