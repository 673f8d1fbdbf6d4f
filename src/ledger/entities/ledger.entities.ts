import { createHash } from 'node:crypto';
import { EntitySchema, type EntitySchemaColumnOptions, type EntitySchemaIndexOptions, type EntitySchemaRelationOptions } from 'typeorm';
import type { DatabaseKind } from '../../config/app-config.js';
import { type Dictionary, type EntityName, type FieldDef, storedFieldsOf } from '../../dictionary/dictionary.types.js';

/**
 * The ledger's tables. Data columns come from the field dictionary (one column per stored canonical field);
 * only keys, links, versions and timestamps are written here. Migrations must agree: test/e2e/schema-drift.spec.ts.
 */
export const TABLES = {
  orgUnit: 'org_units',
  staff: 'staff',
  household: 'households',
  resident: 'residents',
  visit: 'visits',
  business: 'businesses',
} as const;

export const ENTITY_NAMES = {
  orgUnit: 'OrgUnit',
  staff: 'Staff',
  household: 'Household',
  resident: 'Resident',
  visit: 'Visit',
  business: 'Business',
} as const;

/** Rows are plain records keyed by field key: the dictionary, not a class, says what they hold. */
export type LedgerRow = Record<string, any>;

const DECIMAL_TRANSFORMER = {
  to: (v: unknown) => v,
  from: (v: unknown) => (v === null || v === undefined ? v : Number(v)),
};

export function columnFor(f: FieldDef): EntitySchemaColumnOptions {
  const base = { name: f.column, nullable: !f.required };
  switch (f.type) {
    case 'text':
      return { ...base, type: 'varchar', length: f.maxLength };
    case 'idNumber':
    case 'creditCode':
      return { ...base, type: 'varchar', length: 18 };
    case 'phone':
      return { ...base, type: 'varchar', length: 20 };
    case 'code':
      return { ...base, type: 'varchar', length: 8 };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'integer':
    case 'staffRef':
    case 'residentRef':
      return { ...base, type: 'integer' };
    case 'decimal':
      return { ...base, type: 'decimal', precision: 12, scale: f.scale ?? 2, transformer: DECIMAL_TRANSFORMER };
    case 'date':
      return { ...base, type: 'date' };
    case 'month':
      return { ...base, type: 'varchar', length: 7 };
  }
}

/** Property name of a field's column: references are stored as ids (`liaisonStaffId`, `operatorId`). */
/** A record's facts as the audit log keeps them: its links (org unit, resident, staff), then its dictionary fields. */
export function recordFacts(dict: Dictionary, entity: EntityName, row: LedgerRow): Record<string, unknown> {
  const links = Object.fromEntries(['gridCode', 'orgUnitCode', 'residentId', 'staffId'].filter((k) => k in row).map((k) => [k, row[k]]));
  return { ...links, ...Object.fromEntries(storedFieldsOf(dict, entity).map((f) => [f.key, row[propertyOf(f)]])) };
}

export function propertyOf(f: FieldDef): string {
  return f.type === 'staffRef' || f.type === 'residentRef' ? `${f.key}Id` : f.key;
}

function dictionaryColumns(dict: Dictionary, entity: EntityName): Record<string, EntitySchemaColumnOptions> {
  return Object.fromEntries(storedFieldsOf(dict, entity).map((f) => [propertyOf(f), columnFor(f)]));
}

/** Resident fields the department forms filter on (F01–F07); see migrations/1764072000000-form-filter-indexes.ts. */
/**
 * Resident indexes in a form's order after a one-value filter (F07: 人户状态 流入, then 登记日期, ID number, id): a
 * view whose filter and order match one reads its pages from the index at the cursor, rows and all (view-sql.ts).
 */
export const RESIDENT_ORDER_INDEXES: readonly (readonly string[])[] = [['registrationType', 'registeredOn', 'idNumber', 'id']];

export const FORM_FILTERS = ['livingArrangement', 'maritalStatus', 'proneToWandering', 'disabilityCategory', 'enlistmentDate', 'registrationType'];

/**
 * What follows a filtered field in its index, per entity: the org range a view reads (grid, or a visit's resident),
 * then for residents what a form's page and count read, so they come from the index alone (as FORM_FILTERS).
 */
const FILTER_INDEX_TAIL: Record<EntityName, string[]> = {
  resident: ['gridCode', 'idNumber', 'id', 'deregisteredOn'],
  household: ['gridCode'],
  business: ['gridCode'],
  visit: ['residentId'],
  staff: ['orgUnitCode'],
};

/** Prefix of the indexes the start-up keeps for the templates' filters (src/database/dictionary-schema.ts). */
export const FILTER_INDEX_PREFIX = 'IDX_form_';

/** The name of the index for a template filter on a field (PostgreSQL names are at most 63 bytes). */
export function filterIndexName(table: string, column: string): string {
  const name = `${FILTER_INDEX_PREFIX}${table}_${column}`;
  return name.length <= 63 ? name : `${FILTER_INDEX_PREFIX}${table}_${createHash('sha256').update(column).digest('hex').slice(0, 16)}`;
}

/** Indexes for the fields templates filter on, unless an index of the table already starts with that field. */
function filterIndexes(entity: EntityName, table: string, filtered: FieldDef[], existing: EntitySchemaIndexOptions[]): EntitySchemaIndexOptions[] {
  const leading = new Set(existing.map((i) => (Array.isArray(i.columns) ? i.columns[0] : undefined)));
  return filtered
    .filter((f) => f.entity === entity && f.column && !leading.has(propertyOf(f)))
    .map((f) => ({ name: filterIndexName(table, f.column!), columns: [propertyOf(f), ...FILTER_INDEX_TAIL[entity]] }));
}

function systemColumns(kind: DatabaseKind): Record<string, EntitySchemaColumnOptions> {
  // Instants are timestamptz on PostgreSQL; SQLite has no such type and TypeORM stores them as UTC text.
  const instant = kind === 'postgres' ? 'timestamptz' : 'datetime';
  return {
    id: { type: 'integer', primary: true, generated: 'increment' },
    version: { type: 'integer', version: true },
    createdAt: { name: 'created_at', type: instant, createDate: true },
    updatedAt: { name: 'updated_at', type: instant, updateDate: true },
  };
}

function link(target: string, column: string, fkName: string, nullable = true): EntitySchemaRelationOptions {
  return {
    type: 'many-to-one',
    target,
    nullable,
    joinColumn: { name: column, foreignKeyConstraintName: fkName },
    onDelete: 'RESTRICT',
  };
}

function refFields(dict: Dictionary, entity: EntityName, type: 'staffRef' | 'residentRef') {
  return storedFieldsOf(dict, entity).filter((f) => f.type === type);
}

/**
 * `filtered`: the stored fields the templates filter on (`filteredFields` in src/database/dictionary-schema.ts); each
 * gets an index, created at start-up like a new field's column.
 */
export function buildLedgerEntities(dict: Dictionary, kind: DatabaseKind, filtered: FieldDef[] = []): EntitySchema[] {
  const indexed = (entity: EntityName, table: string, indices: EntitySchemaIndexOptions[]) => [...indices, ...filterIndexes(entity, table, filtered, indices)];
  const sys = systemColumns(kind);
  const gridCode: EntitySchemaColumnOptions = { name: 'grid_code', type: 'varchar', length: 15 };
  const refRelations = (entity: EntityName, table: string) =>
    Object.fromEntries([
      ...refFields(dict, entity, 'staffRef').map((f) => [f.key, link(ENTITY_NAMES.staff, f.column!, `FK_${table}_${f.column}`, !f.required)]),
      ...refFields(dict, entity, 'residentRef').map((f) => [f.key, link(ENTITY_NAMES.resident, f.column!, `FK_${table}_${f.column}`, !f.required)]),
    ]);

  const orgUnit = new EntitySchema<LedgerRow>({
    name: ENTITY_NAMES.orgUnit,
    tableName: TABLES.orgUnit,
    columns: {
      code: { type: 'varchar', length: 15, primary: true },
      name: { type: 'varchar', length: 100 },
      level: { type: 'varchar', length: 12 },
      parentCode: { name: 'parent_code', type: 'varchar', length: 15, nullable: true },
      sortOrder: { name: 'sort_order', type: 'integer', default: 0 },
    },
    relations: { parent: link(ENTITY_NAMES.orgUnit, 'parent_code', 'FK_org_units_parent') },
    indices: [{ name: 'IDX_org_units_parent', columns: ['parentCode', 'sortOrder'] }],
  });

  const staff = new EntitySchema<LedgerRow>({
    name: ENTITY_NAMES.staff,
    tableName: TABLES.staff,
    columns: { ...sys, orgUnitCode: { name: 'org_unit_code', type: 'varchar', length: 15 }, ...dictionaryColumns(dict, 'staff') },
    relations: { orgUnit: link(ENTITY_NAMES.orgUnit, 'org_unit_code', 'FK_staff_org_unit', false) },
    indices: indexed('staff', TABLES.staff, [{ name: 'IDX_staff_org_unit', columns: ['orgUnitCode'] }]),
  });

  const household = new EntitySchema<LedgerRow>({
    name: ENTITY_NAMES.household,
    tableName: TABLES.household,
    columns: { ...sys, gridCode, ...dictionaryColumns(dict, 'household') },
    relations: { grid: link(ENTITY_NAMES.orgUnit, 'grid_code', 'FK_households_grid', false) },
    indices: indexed('household', TABLES.household, [
      { name: 'UQ_households_grid_address', columns: ['gridCode', 'currentAddress'], unique: true },
      // Summary forms count a range's households from it alone (migration 1766000000000).
      { name: 'IDX_households_grid', columns: ['gridCode', 'id'] },
    ]),
  });

  const resident = new EntitySchema<LedgerRow>({
    name: ENTITY_NAMES.resident,
    tableName: TABLES.resident,
    columns: {
      ...sys,
      gridCode,
      householdId: { name: 'household_id', type: 'integer', nullable: true },
      ...dictionaryColumns(dict, 'resident'),
    },
    relations: {
      grid: link(ENTITY_NAMES.orgUnit, 'grid_code', 'FK_residents_grid', false),
      household: link(ENTITY_NAMES.household, 'household_id', 'FK_residents_household'),
      ...refRelations('resident', TABLES.resident),
    },
    indices: indexed('resident', TABLES.resident, [
      { name: 'UQ_residents_id_number', columns: ['idNumber'], unique: true },
      // Summary forms count from these alone (migration 1766000000000): the ID number holds the birth date.
      { name: 'IDX_residents_grid', columns: ['gridCode', 'deregisteredOn', 'idNumber'] },
      { name: 'IDX_residents_household', columns: ['householdId', 'deregisteredOn'] },
      { name: 'IDX_residents_updated_at', columns: ['updatedAt'] },
      // The data-quality check "the same phone in another household of the community" (src/quality/): found from the index.
      { name: 'IDX_residents_phone', columns: ['phone', 'gridCode', 'householdId', 'deregisteredOn'] },
      // The department forms' row filters, each with the grid code (a community's rows are one index range), the
      // ID number (age and sex), the id and the day the resident left (注销), so a form's page and count can be found
      // from the index alone.
      ...FORM_FILTERS.map((key) => ({ name: `IDX_residents_${dict.byKey.get(key)!.column}_grid`, columns: [key, 'gridCode', 'idNumber', 'id', 'deregisteredOn'] })),
      // F07 in its own order (registered_on NULLS FIRST on PostgreSQL, migration 1765700000000): keyset pages of a
      // whole district are read from the index at the cursor.
      { name: 'IDX_residents_registration_type_order', columns: [...RESIDENT_ORDER_INDEXES[0], 'gridCode', 'deregisteredOn'] },
      // F05 in its own order (NULLS FIRST on PostgreSQL, migration 1766200000000): a page's ids are read from it alone.
      { name: 'IDX_residents_disability_order', columns: ['disabilityCategory', 'disabilityGrade', 'idNumber', 'id', 'gridCode', 'deregisteredOn'] },
    ]),
  });

  const visit = new EntitySchema<LedgerRow>({
    name: ENTITY_NAMES.visit,
    tableName: TABLES.visit,
    columns: {
      ...sys,
      residentId: { name: 'resident_id', type: 'integer' },
      staffId: { name: 'staff_id', type: 'integer' },
      ...dictionaryColumns(dict, 'visit'),
    },
    relations: {
      resident: link(ENTITY_NAMES.resident, 'resident_id', 'FK_visits_resident', false),
      staff: link(ENTITY_NAMES.staff, 'staff_id', 'FK_visits_staff', false),
    },
    indices: indexed('visit', TABLES.visit, [
      { name: 'IDX_visits_resident_date', columns: ['residentId', 'visitDate'] },
      { name: 'IDX_visits_date', columns: ['visitDate'] },
    ]),
  });

  const business = new EntitySchema<LedgerRow>({
    name: ENTITY_NAMES.business,
    tableName: TABLES.business,
    columns: { ...sys, gridCode, ...dictionaryColumns(dict, 'business') },
    relations: {
      grid: link(ENTITY_NAMES.orgUnit, 'grid_code', 'FK_businesses_grid', false),
      ...refRelations('business', TABLES.business),
    },
    indices: indexed('business', TABLES.business, [
      { name: 'UQ_businesses_credit_code', columns: ['creditCode'], unique: true },
      { name: 'IDX_businesses_grid', columns: ['gridCode'] },
    ]),
  });

  return [orgUnit, staff, household, resident, visit, business];
}
