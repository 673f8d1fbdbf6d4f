import type { Values } from '../dictionary/field-validator.js';

/** What importing one row of a department ledger does. */
export type RowKind = 'create' | 'update' | 'unchanged' | 'conflict' | 'error';

/** A field whose value the file and the ledger give: a fill (ledger empty) or a conflict (they differ). */
export interface FieldDiff {
  field: string;
  label: string;
  ledger: unknown;
  file: unknown;
}

/** A problem with a cell (or a whole row: column 0), in Chinese, for the preview and the user's own workbook. */
export interface CellProblem {
  column: number;
  header: string;
  value: string;
  code: string;
  message: string;
}

export interface RowOutcome {
  /** The row in the user's sheet. */
  row: number;
  kind: RowKind;
  /** What the row is about: an ID number, a business, a visit. */
  subject: string;
  name: string | null;
  /** Values the ledger gets (everything on a create; fills of empty fields on an update). */
  changes: FieldDiff[];
  /** Values that differ from the ledger's: kept or taken, as the user decides per import. */
  conflicts: FieldDiff[];
  errors: CellProblem[];
  /** Things to look at that do not stop the row (a derived column that disagrees with the ID number). */
  warnings: CellProblem[];
}

export interface ImportSummary {
  rows: number;
  creates: number;
  updates: number;
  unchanged: number;
  conflicts: number;
  errors: number;
  warnings: number;
}

/** How a row reaches the ledger: filled in by the analysis, carried out by the writer in one transaction. */
export type WriteOp =
  | { entity: 'resident'; idNumber: string; id: number | null; version: number | null; gridCode: string | null; values: Values; conflicts: Values }
  | {
      entity: 'business'; id: number | null; version: number | null; gridCode: string | null; values: Values; conflicts: Values;
      /** The operator as the row names them: registered (name and phone only) if the ledger lacks them. */
      operator: { idNumber: string; name: string | null; phone: string | null } | null;
    }
  | { entity: 'visit'; id: number | null; version: number | null; residentId: number; staffId: number; values: Values; conflicts: Values };

export interface RowPlan {
  outcome: RowOutcome;
  op: WriteOp | null;
}

export type ConflictChoice = 'keep' | 'take';

export function summarize(outcomes: RowOutcome[]): ImportSummary {
  const count = (kind: RowKind) => outcomes.filter((o) => o.kind === kind).length;
  return {
    rows: outcomes.length,
    creates: count('create'),
    updates: count('update'),
    unchanged: count('unchanged'),
    conflicts: count('conflict'),
    errors: count('error'),
    warnings: outcomes.filter((o) => o.warnings.length).length,
  };
}
