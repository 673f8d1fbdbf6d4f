import type { Dictionary } from '../dictionary/dictionary.types.js';
import { ageOn, parseIdNumber } from '../identity/index.js';
import type { Format, RowSet, TemplateColumn } from '../templates/template.types.js';

/** A database row of a view, turned into the form's cell values in column order. Pure. */
export function formatRow(
  columns: TemplateColumn[],
  dict: Dictionary,
  raw: Record<string, unknown>,
  ctx: { rowNumber: number; referenceDate: string },
): unknown[] {
  const id = typeof raw.row_id_number === 'string' ? parseIdNumber(raw.row_id_number, '9999-12-31') : null;
  const fromId = (key: string, value: unknown) => {
    if (key !== 'birthDate' && key !== 'gender') return value;
    const parsed = typeof value === 'string' ? parseIdNumber(value, '9999-12-31') : null;
    return parsed?.ok ? parsed.value[key] : null;
  };
  return columns.map((col) => {
    const s = col.source;
    switch (s.kind) {
      case 'rowNumber':
        return ctx.rowNumber;
      case 'constant':
        return s.value;
      case 'orgUnit':
        return s.level === 'grid' ? raw.grid_name : raw.community_name;
      case 'age':
        return id?.ok ? ageOn(id.value.birthDate, ctx.referenceDate) : null;
      case 'field':
        return formatValue(dict, s.field, fromId(s.field, raw[`v_${col.key}`]), s.format);
      case 'latestVisit':
        return formatValue(dict, s.field, raw[`v_${col.key}`], s.format);
      case 'concat': {
        const parts = s.parts.map((_, i) => raw[`v_${col.key}_${i}`]);
        return parts.some((p) => p === null || p === undefined) ? null : parts.join('');
      }
      case 'band': {
        const base = s.of.kind === 'age' ? (id?.ok ? ageOn(id.value.birthDate, ctx.referenceDate) : null) : raw[`v_${col.key}`];
        if (base === null || base === undefined) return s.otherwise;
        const x = Number(base);
        const band = s.bands.find((b) => (b.min === undefined || x >= b.min) && (b.max === undefined || x <= b.max));
        return band ? band.value : s.otherwise;
      }
      case 'keyGroups': {
        const labels = s.groups.filter((_, i) => Number(raw[`v_${col.key}_${i}`]) === 1).map((g) => g.label);
        return labels.length ? labels.join(s.joinWith) : null;
      }
      default:
        return raw[`v_${col.key}`] ?? null;
    }
  });
}

export function formatValue(dict: Dictionary, key: string, value: unknown, format: Format | undefined): unknown {
  // A 是/否 column is never blank on a department's form: nothing recorded means no.
  if ((value === null || value === undefined) && format?.kind === 'yesNo') return format.no;
  if (value === null || value === undefined) return null;
  const field = dict.byKey.get(key)!;
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
