/** The few SQL spellings that differ between SQLite and PostgreSQL; everything else is written once. */
export interface SqlDialect {
  postgres: boolean;
  /** Placeholder for the n-th parameter (1-based). */
  param(n: number): string;
  /** yyyymmdd of a date expression minus whole years, to compare with the birth date inside an ID number. */
  birthKeyYearsBefore(dateExpr: string, years: number): string;
  /** A boolean literal parameter value. */
  bool(value: boolean): unknown;
  /** An instant as a parameter comparable with created_at/updated_at. */
  instant(value: Date): unknown;
  /** Ends a SELECT that claims queue rows: rows another transaction holds are skipped (SQLite's one writer claims alone). */
  skipLocked(alias: string): string;
  /**
   * One ORDER BY term with NULL below every value, as SQLite sorts by default: both databases give one order, and
   * keyset cursors (view-cursor.ts) compare the same way on both.
   */
  orderTerm(expr: string, descending: boolean, nullable: boolean): string;
  /**
   * A view over a grid range whose filter is "a field is present" (F05, F06): SQLite without statistics answers its
   * pages and counts from the grid index and reads each row of the range from the table (0.4 s to count a street of
   * 250,000, 0.15 s for one community's first page); told that the range is no index's business (unary +) and that
   * presence is rare (unlikely()), it reads the field's own index (F06) or the form's order index (F05) alone.
   * The values are the same; PostgreSQL plans by its statistics and is given the plain terms.
   */
  presentInRange: { grid(column: string): string; present(condition: string): string };
}

export function dialectFor(postgres: boolean): SqlDialect {
  return postgres
    ? {
        postgres,
        param: (n) => `$${n}`,
        birthKeyYearsBefore: (d, y) => `to_char(${d} - interval '${Number(y)} years', 'YYYYMMDD')`,
        bool: (v) => v,
        instant: (v) => v,
        skipLocked: (alias) => `FOR UPDATE OF ${alias} SKIP LOCKED`,
        orderTerm: (e, desc, nullable) => `${e}${desc ? ' DESC' : ''}${nullable ? (desc ? ' NULLS LAST' : ' NULLS FIRST') : ''}`,
        presentInRange: { grid: (column) => column, present: (condition) => condition },
      }
    : {
        postgres,
        param: () => '?',
        birthKeyYearsBefore: (d, y) => `strftime('%Y%m%d', ${d}, '-${Number(y)} years')`,
        bool: (v) => (v ? 1 : 0),
        // TypeORM keeps SQLite instants as UTC text 'yyyy-mm-dd hh:mm:ss'
        instant: (v) => v.toISOString().slice(0, 19).replace('T', ' '),
        skipLocked: () => '',
        orderTerm: (e, desc) => `${e}${desc ? ' DESC' : ''}`,
        presentInRange: { grid: (column) => `+${column}`, present: (condition) => `unlikely(${condition})` },
      };
}

/** Collects parameters and hands out their placeholders in order. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: SqlDialect) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.param(this.values.length);
  }
}
