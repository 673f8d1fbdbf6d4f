import type { DataSource, EntityMetadata } from 'typeorm';

type Convert = (value: unknown) => unknown;

const asDate: Convert = (v) => (v === null || v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`));
const asBoolean: Convert = (v) => (v === null ? null : v === true || v === 1 || v === '1');
const asNumber: Convert = (v) => (v === null ? null : Number(v));

/**
 * Raw rows → entity-shaped records, and placeholders for the connected dialect. The hot paths (single entry)
 * use plain SQL with this instead of TypeORM's query builder, which costs more CPU than the queries themselves.
 */
export class RowMapper {
  readonly table: string;
  private readonly columns: { db: string; property: string; convert: Convert | null }[];
  private readonly byProperty: Map<string, string>;

  constructor(
    metadata: EntityMetadata,
    readonly postgres: boolean,
  ) {
    this.table = metadata.tableName;
    // A link is both a plain column (gridCode) and a relation (grid) on the same database column: keep the column.
    const relations = new Set(metadata.relations.map((r) => r.propertyName));
    this.columns = metadata.columns
      .filter((c) => !relations.has(c.propertyName))
      .map((c) => ({ db: c.databaseName, property: c.propertyName, convert: converter(String(c.type), postgres) }));
    this.byProperty = new Map(this.columns.map((c) => [c.property, c.db]));
  }

  static for(dataSource: DataSource, entity: string): RowMapper {
    return new RowMapper(dataSource.getMetadata(entity), dataSource.options.type === 'postgres');
  }

  column(property: string): string {
    const column = this.byProperty.get(property);
    if (!column) throw new Error(`${this.table} 没有属性 ${property}`);
    return column;
  }

  /** `?` on SQLite, `$n` on PostgreSQL. */
  placeholder(n: number): string {
    return this.postgres ? `$${n}` : '?';
  }

  /** Parameters as the driver binds them (better-sqlite3 takes no booleans). */
  param(value: unknown): unknown {
    if (value === undefined) return null;
    if (!this.postgres && typeof value === 'boolean') return Number(value);
    return value;
  }

  toRecord(row: Record<string, unknown>): Record<string, any> {
    const record: Record<string, unknown> = {};
    for (const c of this.columns) {
      const value = row[c.db] ?? null;
      record[c.property] = c.convert ? c.convert(value) : value;
    }
    return record;
  }
}

function converter(type: string, postgres: boolean): Convert | null {
  if (type === 'boolean') return postgres ? null : asBoolean;
  if (type === 'decimal' || type === 'numeric') return asNumber;
  if (type === 'datetime' || type === 'timestamptz') return postgres ? null : asDate;
  return null;
}
