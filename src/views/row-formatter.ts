import type { Dictionary, FieldDef } from '../dictionary/dictionary.types.js';
import { ageOn, isRealDate } from '../identity/index.js';
import type { Format, RowSet, TemplateColumn } from '../templates/template.types.js';

type Cell = (raw: Record<string, unknown>, ctx: RowContext, id: IdFacts | null) => unknown;

interface RowContext {
  rowNumber: number;
  referenceDate: string;
}

/** Birth date and sex as an ID number states them (stored numbers were checked on entry). */
interface IdFacts {
  birthDate: string;
  gender: '1' | '2';
}

function idFacts(value: unknown): IdFacts | null {
  if (typeof value !== 'string' || value.length !== 18) return null;
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isRealDate(birthDate)) return null;
  return { birthDate, gender: Number(value[16]) % 2 === 1 ? '1' : '2' };
}

/** Whole years on a date, for a birth date on or before it; null otherwise. */
function age(id: IdFacts | null, on: string): number | null {
  return id && id.birthDate <= on ? ageOn(id.birthDate, on) : null;
}

/** One function per column, and whether any of them reads the row's birth date or sex. */
interface Compiled {
  cells: Cell[];
  readsId: boolean;
}

const compiled = new WeakMap<TemplateColumn[], Compiled>();

/** A cell reading the row's ID facts: rows of columns without one skip reading them. */
const READS_ID = new WeakSet<Cell>();
const readingId = (cell: Cell): Cell => (READS_ID.add(cell), cell);

/**
 * A database row of a view, turned into the form's cell values in column order. Pure. Each template's columns are
 * compiled once into one function per column (exports format a million rows; a pull, thousands a second).
 */
export function formatRow(columns: TemplateColumn[], dict: Dictionary, raw: Record<string, unknown>, ctx: RowContext): unknown[] {
  let c = compiled.get(columns);
  if (!c) {
    const all = columns.map((col) => compileCell(col, dict));
    compiled.set(columns, (c = { cells: all, readsId: all.some((cell) => READS_ID.has(cell)) }));
  }
  const { cells } = c;
  const id = c.readsId ? idFacts(raw.row_id_number) : null;
  const values = new Array<unknown>(cells.length);
  for (let i = 0; i < cells.length; i++) values[i] = cells[i](raw, ctx, id);
  return values;
}

function compileCell(col: TemplateColumn, dict: Dictionary): Cell {
  const s = col.source;
  const key = `v_${col.key}`;
  switch (s.kind) {
    case 'rowNumber':
      return (_r, ctx) => ctx.rowNumber;
    case 'constant':
      return () => s.value;
    case 'orgUnit':
      return s.level === 'grid' ? (r) => r.grid_name : (r) => r.community_name;
    case 'age':
      return readingId((_r, ctx, id) => age(id, ctx.referenceDate));
    case 'householdSize':
      return (r) => (r[key] === null || r[key] === undefined ? null : Number(r[key])); // PostgreSQL's COUNT is a bigint string
    case 'field': {
      const format = compileValue(dict, s.field, s.format);
      // Birth date and sex come from the ID number the column holds (the row's own, or a related resident's).
      if (s.field === 'birthDate' || s.field === 'gender') {
        const fact = s.field;
        // Usually the row's own ID number, already read once for the row.
        return readingId((r, _ctx, id) => format((r[key] === r.row_id_number ? id : idFacts(r[key]))?.[fact] ?? null));
      }
      return (r) => format(r[key]);
    }
    case 'latestVisit': {
      const format = compileValue(dict, s.field, s.format);
      return (r) => format(r[key]);
    }
    case 'concat': {
      const keys = s.parts.map((_, i) => `${key}_${i}`);
      return (r) => {
        const parts = keys.map((k) => r[k]);
        return parts.some((p) => p === null || p === undefined) ? null : parts.join('');
      };
    }
    case 'band': {
      const cell: Cell = (r, ctx, id) => {
        const base = s.of.kind === 'age' ? age(id, ctx.referenceDate) : r[key];
        if (base === null || base === undefined) return s.otherwise;
        const x = Number(base);
        const band = s.bands.find((b) => (b.min === undefined || x >= b.min) && (b.max === undefined || x <= b.max));
        return band ? band.value : s.otherwise;
      };
      return s.of.kind === 'age' ? readingId(cell) : cell;
    }
    case 'keyGroups': {
      const keys = s.groups.map((_, i) => `${key}_${i}`);
      return (r) => {
        const labels = s.groups.filter((_, i) => Number(r[keys[i]]) === 1).map((g) => g.label);
        return labels.length ? labels.join(s.joinWith) : null;
      };
    }
    default:
      return (r) => r[key] ?? null;
  }
}

/** formatValue for one field and format, with its lookups done once (every cell of every page passes here). */
function compileValue(dict: Dictionary, key: string, format: Format | undefined): (value: unknown) => unknown {
  const field = dict.byKey.get(key)!;
  const names = format?.kind === 'codeName' ? dict.codeLists.get(field.codeList!)?.byCode : undefined;
  if (names) {
    return (value) => (value === null || value === undefined ? null : (names.get(String(value))?.name ?? value));
  }
  // Text without a format, and dates already yyyy-mm-dd (both databases hand dates over as that text), pass as they are.
  const text = !['boolean', 'integer', 'decimal', 'date'].includes(field.type);
  if (text ? !format : field.type === 'date' && format?.kind === 'date' && format.pattern === 'yyyy-mm-dd') {
    return (value) => (typeof value === 'string' && (text || isIsoDate(value)) ? value : formatValue(dict, field, value, format));
  }
  return (value) => formatValue(dict, field, value, format);
}

/** yyyy-mm-dd by its shape: two dashes, at 4 and 7 (what formatValue would print for it unchanged). */
function isIsoDate(value: string): boolean {
  return value.length === 10 && value.indexOf('-') === 4 && value.lastIndexOf('-') === 7;
}

export function formatValue(dict: Dictionary, field: FieldDef, value: unknown, format: Format | undefined): unknown {
  // Nothing recorded is not "no": an unfilled 是/否 prints empty unless the template names a word for it (empty: 否).
  if (value === null || value === undefined) return format?.kind === 'yesNo' ? (format.empty ?? null) : null;
  if (field.type === 'boolean') value = value === true || value === 1 || value === '1' || value === 't';
  if (field.type === 'decimal' || field.type === 'integer') value = Number(value);
  if (value instanceof Date) value = value.toISOString().slice(0, 10);
  if (!format) return value;
  switch (format.kind) {
    case 'codeName':
      return dict.codeLists.get(field.codeList!)?.byCode.get(String(value))?.name ?? value;
    case 'yesNo':
      return value ? format.yes : format.no;
    case 'decimal':
      return Math.round(Number(value) * 10 ** format.places) / 10 ** format.places;
    case 'date': {
      const [y, m, d] = String(value).split('-');
      if (format.pattern === 'yyyy.mm') return `${y}.${m}`;
      if (format.pattern === 'yyyy年m月') return `${y}年${Number(m)}月`;
      return d ? `${y}-${m}-${d}` : String(value);
    }
  }
}

/** A form's 合计 row, accumulated row by row: the label, counts of filled cells, sums. */
export class TotalsRow {
  private readonly counts: number[];
  private readonly sums: number[];

  constructor(
    private readonly columns: TemplateColumn[],
    private readonly spec: NonNullable<RowSet['totals']>,
  ) {
    this.counts = columns.map(() => 0);
    this.sums = columns.map(() => 0);
  }

  add(values: unknown[]): void {
    values.forEach((v, i) => {
      if (v !== null && v !== undefined && v !== '') this.counts[i]++;
      this.sums[i] += Number(v) || 0;
    });
  }

  row(): unknown[] {
    return this.columns.map((c, i) => {
      if (c.key === this.spec.labelColumn) return this.spec.label;
      if (this.spec.count.includes(c.key)) return this.counts[i];
      if (this.spec.sum.includes(c.key)) return Math.round(this.sums[i] * 100) / 100;
      return null;
    });
  }
}
