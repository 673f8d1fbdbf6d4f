import type { EntitySchemaColumnOptions } from 'typeorm';
import type { DatabaseKind } from '../config/app-config.js';
import { type Dictionary, type EntityName, type FieldDef } from '../dictionary/dictionary.types.js';
import { buildLedgerEntities, columnFor, FILTER_INDEX_PREFIX, TABLES } from '../ledger/entities/ledger.entities.js';
import type { Condition, TemplateDef } from '../templates/template.types.js';
import { type Catalog, readCatalog, type SqlQuery, sqliteForeignKey, valueCount } from './schema-catalog.js';

/**
 * The ledger's tables follow templates/: a field added to the dictionary gets its column at the next start, a field a
 * template filters on gets an index. Only additive changes are made by themselves (and changes to a column that holds
 * no value); anything that would lose or alter stored values stops the start and says what to do.
 */

/** Ledger tables that hold dictionary fields (org units hold none). */
const FIELD_TABLES: Record<EntityName, string> = {
  resident: TABLES.resident, household: TABLES.household, visit: TABLES.visit, business: TABLES.business, staff: TABLES.staff,
};
const ENTITY_OF_TABLE = new Map(Object.entries(FIELD_TABLES).map(([entity, table]) => [table, entity as EntityName]));
export const LEDGER_FIELD_TABLES = Object.values(FIELD_TABLES);

/** Stored fields the templates filter on: rows' `where` (and `inPeriod`), and the conditions of `count` columns. */
export function filteredFields(dictionary: Dictionary, templates: TemplateDef[]): FieldDef[] {
  const keys = new Set<string>();
  const add = (conditions: Condition[]) => {
    for (const c of conditions) if (c.kind === 'field' || c.kind === 'inPeriod') keys.add(c.field);
  };
  for (const def of templates) {
    if (def.rows.kind === 'rows') add(def.rows.where);
    for (const column of def.columns) if (column.source.kind === 'count') add(column.source.where);
  }
  return dictionary.fields.filter((f) => keys.has(f.key) && f.column);
}

/** A normalised column type, as readCatalog reports it: varchar(8), decimal(12,2), boolean… */
export function columnType(options: EntitySchemaColumnOptions): string {
  const type = String(options.type);
  if (type === 'varchar') return options.length ? `varchar(${options.length})` : 'varchar';
  if (type === 'decimal') return `decimal(${options.precision},${options.scale})`;
  return type;
}

interface ExpectedIndex {
  table: string;
  name: string;
  columns: string[];
  field?: FieldDef;
}

/** The tables as the entities describe them: every column's name per table, and the indexes kept for template filters. */
function expectedSchema(dictionary: Dictionary, kind: DatabaseKind, filtered: FieldDef[]) {
  const columns = new Map<string, Set<string>>();
  const indexes: ExpectedIndex[] = [];
  for (const schema of buildLedgerEntities(dictionary, kind, filtered)) {
    const table = schema.options.tableName!;
    if (!LEDGER_FIELD_TABLES.includes(table)) continue;
    const names = new Map(Object.entries(schema.options.columns).map(([property, c]) => [property, c?.name ?? property]));
    columns.set(table, new Set(names.values()));
    for (const index of schema.options.indices ?? []) {
      if (!index.name?.startsWith(FILTER_INDEX_PREFIX)) continue;
      const cols = (index.columns as string[]).map((p) => names.get(p) ?? p);
      indexes.push({ table, name: index.name, columns: cols, field: filtered.find((f) => FIELD_TABLES[f.entity] === table && f.column === cols[0]) });
    }
  }
  return { columns, indexes };
}

export type ChangeKind = 'add_column' | 'widen_column' | 'retype_column' | 'allow_null' | 'drop_column' | 'add_index' | 'drop_index';

/** One change the start makes to follow the dictionary and templates; recorded in `dictionary_changes`. */
export interface SchemaChange {
  change: ChangeKind;
  /** The dictionary field's key (for a field no longer in the dictionary: as last recorded). */
  field: string;
  label: string | null;
  table: string;
  column: string;
  /** The column's type after the change (columns only). */
  type: string | null;
  /** The type before (retyping, widening, dropping). */
  from?: string;
  index?: string;
  indexColumns?: string[];
  /** Why, in a few words, for the record and the log. */
  detail: string | null;
}

export interface SchemaPlan {
  changes: SchemaChange[];
  /** Changes that would lose or alter stored values: each stops the start, in Chinese, naming the field and what to do. */
  refusals: string[];
  /** Things left as they are, worth saying (templates:check, the log). */
  notes: string[];
}

const fieldName = (key: string, label: string | null) => `字段 "${key}"${label ? `（${label}）` : ''}`;

/** What the last recorded change said about a column: the field's key and label once the dictionary no longer has it. */
async function recordedField(query: SqlQuery, table: string, column: string): Promise<{ field: string; label: string | null }> {
  const rows = await query(`SELECT field, label FROM dictionary_changes WHERE table_name = '${table}' AND column_name = '${column}' ORDER BY id DESC`).catch(() => []);
  return rows[0] ? { field: rows[0].field, label: rows[0].label ?? null } : { field: column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), label: null };
}

/**
 * Compares the database (as it is now, read through `query`) with the dictionary and the templates' filters. Reads
 * counts only where a change would touch stored values. Changes are ordered as they must run: indexes dropped, columns
 * changed, indexes added.
 */
export async function planSchemaChanges(kind: DatabaseKind, query: SqlQuery, dictionary: Dictionary, templates: TemplateDef[], catalog?: Catalog): Promise<SchemaPlan> {
  const filtered = filteredFields(dictionary, templates);
  const expected = expectedSchema(dictionary, kind, filtered);
  const actual = catalog ?? (await readCatalog(kind, query, LEDGER_FIELD_TABLES));
  const columnChanges: SchemaChange[] = [];
  const refusals: string[] = [];
  const notes: string[] = [];

  for (const f of dictionary.fields.filter((x) => x.column)) {
    const table = FIELD_TABLES[f.entity];
    const existing = actual.columns.get(table);
    if (!existing) continue; // the table's migration has not run yet (a new database): nothing to compare
    const column = f.column!;
    const wanted = columnFor(f);
    const type = columnType(wanted);
    const now = existing.get(column);
    const base = { field: f.key, label: f.label, table, column, type };
    if (!now) {
      // Nullable whatever `required` says: the rows already there have no value for it (required is checked on entry).
      columnChanges.push({ ...base, change: 'add_column', detail: f.required ? '新字段为必填：已有记录此列为空，修改这些记录时须补填' : null });
      continue;
    }
    if (now.type !== type) {
      const widening = /^varchar\((\d+)\)$/.exec(now.type) && /^varchar\((\d+)\)$/.exec(type);
      const wider = widening && Number(/\d+/.exec(type)![0]) > Number(/\d+/.exec(now.type)![0]);
      const values = wider ? 0 : await valueCount(query, table, column);
      if (kind === 'sqlite' && (await sqliteForeignKey(query, table, column))) {
        refusals.push(`${fieldName(f.key, f.label)}的类型由 ${now.type} 改为 ${type}：${table}.${column} 是引用列，SQLite 上不能改类型。请改回原来的类型。`);
      } else if (wider) {
        columnChanges.push({ ...base, change: 'widen_column', from: now.type, detail: `由 ${now.type} 放宽为 ${type}` });
      } else if (values === 0) {
        columnChanges.push({ ...base, change: 'retype_column', from: now.type, detail: `由 ${now.type} 改为 ${type}（此列没有数据）` });
      } else {
        refusals.push(
          `${fieldName(f.key, f.label)}的类型由 ${now.type} 改为 ${type}，但 ${table}.${column} 已有 ${values} 条记录有值，改类型会丢失或改变这些值。` +
            `请在 templates/dictionary.yaml 中改回原来的类型；确需新类型时，另加一个新键的字段（如 ${f.key}New），把数据录入或导入新字段后再删除旧字段。`,
        );
      }
      continue;
    }
    if (!now.nullable && !f.required) {
      columnChanges.push({ ...base, change: 'allow_null', detail: '字段不再必填，此列允许为空' });
    }
  }

  // Columns no field claims any more: a field removed from the dictionary, or moved to another entity.
  for (const [table, columns] of actual.columns) {
    const known = expected.columns.get(table) ?? new Set<string>();
    for (const [column, now] of columns) {
      if (known.has(column)) continue;
      const movedTo = dictionary.fields.find((f) => f.column === column && FIELD_TABLES[f.entity] !== table);
      const { field, label } = movedTo ? { field: movedTo.key, label: movedTo.label } : await recordedField(query, table, column);
      const values = await valueCount(query, table, column);
      const from = ENTITY_OF_TABLE.get(table)!;
      if (values > 0) {
        refusals.push(
          movedTo
            ? `${fieldName(field, label)}从 ${from} 移到了 ${movedTo.entity}，但 ${table}.${column} 已有 ${values} 条记录有值，不会自动搬到 ${FIELD_TABLES[movedTo.entity]}。` +
                `请在 templates/dictionary.yaml 中改回 entity: ${from}；确需移动时，另用一个新键在 ${movedTo.entity} 上加字段，录入或导入后再删除旧字段。`
            : `${fieldName(field, label)}已不在 templates/dictionary.yaml 中，但 ${table}.${column} 还有 ${values} 条记录有值。一表通不会自动删除数据：` +
                `请把该字段加回 dictionary.yaml；确实不再需要时，先备份（npm run backup）并导出要留存的数据，再由管理员删除这一列` +
                `（ALTER TABLE "${table}" DROP COLUMN "${column}"）后重启。`,
        );
      } else if (kind === 'sqlite' && (await sqliteForeignKey(query, table, column))) {
        notes.push(`${table}.${column}（${fieldName(field, label)}）已不在字段字典中，没有数据；它是引用列，SQLite 上保留不删`);
      } else {
        const why = movedTo ? `字段已移到 ${FIELD_TABLES[movedTo.entity]}` : '字段已从字典删除';
        columnChanges.push({ change: 'drop_column', field, label, table, column, type: null, from: now.type, detail: `${why}，此列没有数据` });
      }
    }
  }

  const indexDrops: SchemaChange[] = [];
  for (const [name, { table }] of actual.indexes) {
    if (!name.startsWith(FILTER_INDEX_PREFIX) || expected.indexes.some((i) => i.name === name)) continue;
    const column = name.slice(`${FILTER_INDEX_PREFIX}${table}_`.length);
    const { field, label } = await recordedField(query, table, column);
    indexDrops.push({ change: 'drop_index', field, label, table, column, type: null, index: name, detail: '已没有模板按此字段筛选' });
  }
  const indexAdds: SchemaChange[] = expected.indexes
    .filter((i) => actual.columns.has(i.table) && !actual.indexes.has(i.name) && i.field)
    .map((i) => ({ change: 'add_index', field: i.field!.key, label: i.field!.label, table: i.table, column: i.columns[0], type: null, index: i.name, indexColumns: i.columns, detail: '模板按此字段筛选' }));
  return { changes: [...indexDrops, ...columnChanges, ...indexAdds], refusals, notes };
}

/** One line per change, in Chinese, for the log and templates:check. */
export function describeChange(c: SchemaChange): string {
  const who = fieldName(c.field, c.label);
  switch (c.change) {
    case 'add_column':
      return `${c.table} 加列 ${c.column} ${c.type}（${who}）${c.detail ? `：${c.detail}` : ''}`;
    case 'widen_column':
      return `${c.table}.${c.column} 由 ${c.from} 放宽为 ${c.type}（${who}）`;
    case 'retype_column':
      return `${c.table}.${c.column} 由 ${c.from} 改为 ${c.type}（${who}；此列没有数据）`;
    case 'allow_null':
      return `${c.table}.${c.column} 允许为空（${who} 不再必填）`;
    case 'drop_column':
      return `${c.table} 删除空列 ${c.column}（${who}：${c.detail}）`;
    case 'add_index':
      return `${c.table} 加索引 ${c.index}（${c.indexColumns!.join(', ')}；模板按${who}筛选）`;
    case 'drop_index':
      return `${c.table} 删除索引 ${c.index}（已没有模板按${who}筛选）`;
  }
}
