import type { Viewer } from '../access/viewer.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { QualityRule } from '../quality/quality-rules.js';
import type { FieldError } from '../common/errors/domain-errors.js';
import type { TemplateDef } from '../templates/template.types.js';
import type { ImportPlan } from './mapping/index.js';
import type { MappingProblem, ReversedRow } from './mapping/index.js';
import type { SourceRow } from './reader/index.js';
import type { LedgerSnapshot } from './ledger-snapshot.js';
import type { CellProblem, FieldDiff, RowOutcome } from './import.types.js';

/** Everything the analysis of one import's rows shares. */
export interface ImportContext {
  def: TemplateDef;
  dict: Dictionary;
  plan: ImportPlan;
  snapshot: LedgerSnapshot;
  viewer: Viewer;
  /** Whether a record of that grid is the viewer's (AccessPolicy.reaches): one outside is never shown or changed. */
  reaches(code: string | null | undefined): boolean;
  today: string;
  referenceDate: string;
  /** The data-quality rules (templates/rules.yaml): the record-level ones are checked on each row. */
  rules: QualityRule[];
  /** ID numbers already seen in this file, with their row (the same person twice is an error). */
  seen: Map<string, number>;
}

/** One row under analysis: its cells, what the mapping made of them, and the outcome being built. */
export class RowWork {
  readonly outcome: RowOutcome;

  constructor(
    readonly ctx: ImportContext,
    readonly source: SourceRow,
    readonly reversed: ReversedRow,
  ) {
    this.outcome = { row: source.row, kind: 'unchanged', subject: '', name: null, changes: [], conflicts: [], errors: [], warnings: [] };
    for (const e of reversed.errors) this.outcome.errors.push(this.fromMapping(e));
    for (const c of reversed.checks) this.outcome.warnings.push(this.fromMapping(c));
  }

  private fromMapping(p: MappingProblem): CellProblem {
    const cell = this.source.cells[p.key];
    const column = this.ctx.def.columns.find((c) => c.key === p.key);
    return { column: p.column || cell?.column || 0, header: column?.header.join('／') ?? '', value: cell?.text ?? '', code: p.code, message: p.message };
  }

  /** The sheet column that shows a field (its own column, or the first mapped column for a row-level problem). */
  cellOf(field: string): { column: number; header: string; value: string } {
    const step = this.ctx.plan.steps.find((s) => 'field' in s && s.field.key === field && (s.kind === 'value' || s.kind === 'reference'));
    const key = step?.column.key;
    const cell = key ? this.source.cells[key] : undefined;
    return { column: cell?.column ?? 0, header: step ? step.column.header.join('／') : this.label(field), value: cell?.text ?? '' };
  }

  error(field: string | null, code: string, message: string): void {
    this.outcome.errors.push({ ...(field ? this.cellOf(field) : { column: 0, header: '', value: '' }), code, message });
  }

  warn(field: string | null, code: string, message: string): void {
    this.outcome.warnings.push({ ...(field ? this.cellOf(field) : { column: 0, header: '', value: '' }), code, message });
  }

  /** The validator's errors, placed on the cells they are about. */
  fieldErrors(errors: FieldError[]): void {
    for (const e of errors) this.error(String(e.path[e.path.length - 1]), e.code, e.message);
  }

  label(field: string): string {
    return field === 'gridCode' ? '所属网格' : (this.ctx.dict.byKey.get(field)?.label ?? field);
  }

  diff(field: string, ledger: unknown, file: unknown): FieldDiff {
    return { field, label: this.label(field), ledger: ledger ?? null, file };
  }

  get failed(): boolean {
    return this.outcome.errors.length > 0;
  }
}

/**
 * Whether a file's value of a field says nothing new: the same fact, or 否 where the ledger has nothing and the
 * form's column prints 否 for "nothing recorded" (`format: { yesNo: […], empty: 否 }`), so that is what reading it back
 * means too. Elsewhere an unfilled 是/否 is printed empty, and a 否 in the file is an answer.
 */
export function nothingNew(ctx: Pick<ImportContext, 'plan'>, field: string, ledger: unknown, file: unknown): boolean {
  if (sameValue(ledger, file)) return true;
  if (file !== false || (ledger !== null && ledger !== undefined)) return false;
  return ctx.plan.steps.some((s) => s.kind === 'value' && s.field.key === field && s.format?.kind === 'yesNo' && s.format.empty === s.format.no);
}

/** The same fact as the two databases and the file give it: 1 and true, '1200.50' and 1200.5, '' and null. */
export function sameValue(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  if (empty(a) || empty(b)) return empty(a) && empty(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Boolean(a === true || a === 1 || a === '1' || a === 't') === Boolean(b === true || b === 1 || b === '1' || b === 't');
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a) === String(b);
}
