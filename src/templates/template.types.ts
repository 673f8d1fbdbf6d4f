import type { BlankForm } from './blank-form.reader.js';

/** A department form as a mapping onto the ledger: parsed and checked from `templates/<code>.yaml`. */
export interface TemplateDef {
  code: string;
  /** Name of the typed GraphQL query (e.g. elderlyLivingAlone). */
  query: string;
  name: string;
  department: string;
  /** With blanks: {street} {community} {year} {month} {day}. */
  title: string;
  /** 'month': a reporting month (F04); otherwise a reference date. */
  period: 'date' | 'month';
  /** The reporting cycle: how often, due when, who fills it in and who reviews it. */
  reporting: ReportingSpec;
  blankForm?: string;
  rows: RowSet | SummaryRows;
  columns: TemplateColumn[];
  /** The department's blank form, read at start-up: header rows, merges, widths, page setup, footer. */
  layout?: BlankForm;
}

export interface ReportingSpec {
  frequency: 'month' | 'quarter' | 'year';
  /** Day of the month after the period by which the report is due. */
  dueDay: number;
  /** The org level that fills in and submits the report. */
  filledBy: 'community' | 'street';
  /** The org level that approves or returns it. */
  reviewedBy: 'street' | 'district';
}

export type ViewEntity = 'resident' | 'visit' | 'business';

export interface RowSet {
  kind: 'rows';
  entity: ViewEntity;
  where: Condition[];
  orderBy: Sort[];
  /** A 合计 row after the last row: the label in one column, counts of filled cells or sums in others. */
  totals?: { label: string; labelColumn: string; count: string[]; sum: string[] };
}

export interface SummaryRows {
  kind: 'summary';
  /** One row per community, or per grid, under the org unit asked for. */
  groupBy: 'community' | 'grid';
  totalsLabel: string;
}

export type Condition =
  | { kind: 'field'; field: string; in?: string[]; equals?: string | number | boolean; present?: boolean }
  | { kind: 'age'; gte?: number; lte?: number }
  | { kind: 'inPeriod'; field: string }
  | { kind: 'keyGroup'; forms: string[] }
  /** At least one of the conditions holds (V01: 低保 or 特困供养). */
  | { kind: 'any'; of: Condition[] };

export type Sort = { kind: 'field'; field: string; descending: boolean } | { kind: 'orgUnit'; level: 'grid' | 'community' };

export type Format =
  | { kind: 'codeName' }
  | { kind: 'date'; pattern: 'yyyy-mm-dd' | 'yyyy.mm' | 'yyyy年m月' }
  | { kind: 'yesNo'; yes: string; no: string }
  | { kind: 'decimal'; places: number };

export type ColumnSource =
  | { kind: 'rowNumber' }
  | { kind: 'field'; field: string; related?: string; format?: Format }
  | { kind: 'latestVisit'; field: string; format?: Format }
  | { kind: 'age' }
  | { kind: 'orgUnit'; level: 'grid' | 'community' }
  | { kind: 'concat'; parts: { field: string }[] }
  | { kind: 'keyGroups'; groups: { form: string; label: string }[]; joinWith: string }
  | { kind: 'count'; of: 'grid' | 'household' | 'resident'; where: Condition[] }
  | { kind: 'countForm'; form: string }
  | { kind: 'constant'; value: string }
  /** How many residents (still registered on the reference date) live in the household of the row's resident. */
  | { kind: 'householdSize' }
  | { kind: 'band'; of: { kind: 'age' } | { kind: 'field'; field: string }; bands: Band[]; otherwise: string | number | null };

/** A value chosen by which band (min ≤ x ≤ max, either end open) the base value falls in. */
export interface Band {
  min?: number;
  max?: number;
  value: string | number;
}

/** What a column's values are, for GraphQL types and Excel cells. */
export type ValueType = 'text' | 'integer' | 'decimal' | 'date';

export interface TemplateColumn {
  key: string;
  /** Group headers then the leaf header, e.g. ['紧急联系人', '姓名']. */
  header: string[];
  source: ColumnSource;
  type: ValueType;
  /** The department does not expect this column filled (备注): an empty cell is not a gap on the work list. */
  optional?: boolean;
}
