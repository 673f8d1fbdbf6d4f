import path from 'node:path';
import { loadDefinitions, type Definitions } from '../../../src/common/definition/definitions.js';
import { columnType, describeChange, filteredFields, planSchemaChanges } from '../../../src/database/dictionary-schema.js';
import type { Catalog, SqlQuery } from '../../../src/database/schema-catalog.js';
import type { Dictionary, FieldDef } from '../../../src/dictionary/dictionary.types.js';
import { buildLedgerEntities } from '../../../src/ledger/entities/ledger.entities.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../../templates');

/**
 * The planner against catalogs built by hand: the paths the e2e test (dictionary-changes.spec.ts) does not walk —
 * widening, retyping an empty column, relaxing `required`, dropping an empty column, moving a field.
 */
describe('planSchemaChanges', () => {
  let defs: Definitions;
  beforeAll(async () => {
    defs = await loadDefinitions(TEMPLATES);
  });
  const templates = () => defs.templates.map((t) => t.def);

  /** The database as the entities describe it: what a start leaves behind. */
  function settled(dictionary: Dictionary): Catalog {
    const columns = new Map<string, Map<string, { type: string; nullable: boolean }>>();
    const indexes = new Map<string, { table: string }>();
    for (const schema of buildLedgerEntities(dictionary, 'postgres', filteredFields(dictionary, templates()))) {
      const table = schema.options.tableName!;
      if (table === 'org_units') continue;
      columns.set(table, new Map(Object.entries(schema.options.columns).map(([p, c]) => [c!.name ?? p, { type: columnType(c!), nullable: Boolean(c!.nullable) }])));
      for (const i of schema.options.indices ?? []) indexes.set(i.name!, { table });
    }
    return { columns, indexes };
  }
  /** Answers COUNT queries with the values given per "table.column" (0 otherwise), and no recorded history. */
  const counting = (values: Record<string, number>): SqlQuery => async (sql) => {
    const m = /COUNT\("(\w+)"\) AS n FROM "(\w+)"/.exec(sql);
    return m ? [{ n: values[`${m[2]}.${m[1]}`] ?? 0 }] : [];
  };
  const withField = (dictionary: Dictionary, f: FieldDef): Dictionary => ({ ...dictionary, fields: [...dictionary.fields, f], byKey: new Map([...dictionary.byKey, [f.key, f]]) });
  const edited = (dictionary: Dictionary, key: string, change: Partial<FieldDef>): Dictionary => {
    const fields = dictionary.fields.map((f) => (f.key === key ? { ...f, ...change } : f));
    return { ...dictionary, fields, byKey: new Map(fields.map((f) => [f.key, f])) };
  };

  it('has nothing to do on the database the entities describe', async () => {
    const plan = await planSchemaChanges('postgres', counting({}), defs.dictionary, templates(), settled(defs.dictionary));
    expect(plan).toEqual({ changes: [], refusals: [], notes: [] });
  });

  it('indexes every stored field a template filters on that no index starts with (F02 childrenCount, V03 residenceReason and residencePermit)', () => {
    const keys = filteredFields(defs.dictionary, templates()).map((f) => f.key);
    expect(keys).toEqual(expect.arrayContaining(['livingArrangement', 'maritalStatus', 'childrenCount', 'visitDate']));
    expect(keys).not.toContain('gender'); // derived: nothing stored to index
    const resident = buildLedgerEntities(defs.dictionary, 'sqlite', filteredFields(defs.dictionary, templates())).find((s) => s.options.tableName === 'residents')!;
    expect(resident.options.indices!.filter((i) => i.name!.startsWith('IDX_form_'))).toEqual([
      { name: 'IDX_form_residents_children_count', columns: ['childrenCount', 'gridCode', 'idNumber', 'id', 'deregisteredOn'] },
      { name: 'IDX_form_residents_residence_reason', columns: ['residenceReason', 'gridCode', 'idNumber', 'id', 'deregisteredOn'] },
      { name: 'IDX_form_residents_residence_permit', columns: ['residencePermit', 'gridCode', 'idNumber', 'id', 'deregisteredOn'] },
    ]);
  });

  it('adds a new field nullable even when required, and the index of a filter on it', async () => {
    const catalog = settled(defs.dictionary);
    const f: FieldDef = { key: 'volunteerHours', label: '志愿服务时长', entity: 'resident', section: 'other', type: 'integer', required: true, sensitivity: 'ordinary', column: 'volunteer_hours' };
    const plan = await planSchemaChanges('postgres', counting({}), withField(defs.dictionary, f), templates(), catalog);
    expect(plan.changes.map((c) => [c.change, c.table, c.column, c.type])).toEqual([['add_column', 'residents', 'volunteer_hours', 'integer']]);
    expect(describeChange(plan.changes[0])).toMatch(/residents 加列 volunteer_hours integer.*志愿服务时长.*须补填/);
  });

  it('widens a text column, relaxes a column no longer required, retypes an empty column, refuses one with values', async () => {
    const catalog = settled(defs.dictionary);
    let dictionary = edited(defs.dictionary, 'employer', { maxLength: 300 }); // varchar(100) → varchar(300)
    dictionary = edited(dictionary, 'staffDuty', { required: false }); // NOT NULL → NULL
    dictionary = edited(dictionary, 'heightCm', { type: 'decimal', scale: 1 }); // integer → decimal, no values
    dictionary = edited(dictionary, 'childrenCount', { type: 'text', maxLength: 10 }); // integer → varchar, 7 values
    const plan = await planSchemaChanges('postgres', counting({ 'residents.children_count': 7 }), dictionary, templates(), catalog);
    expect(plan.changes.map((c) => [c.change, c.column, c.from ?? null, c.type])).toEqual([
      ['widen_column', 'employer', 'varchar(100)', 'varchar(300)'],
      ['retype_column', 'height_cm', 'integer', 'decimal(12,1)'],
      ['allow_null', 'staff_duty', null, 'varchar(8)'],
    ]);
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toMatch(/字段 "childrenCount"（子女数）的类型由 integer 改为 varchar\(10\).*residents\.children_count 已有 7 条记录有值/);
  });

  it('drops the empty column of a removed field, refuses a removed field with values, and follows a moved empty field', async () => {
    const catalog = settled(defs.dictionary);
    const without = (d: Dictionary, key: string) => ({ ...d, fields: d.fields.filter((f) => f.key !== key), byKey: new Map([...d.byKey].filter(([k]) => k !== key)) });
    let dictionary = without(defs.dictionary, 'photoCollected'); // no values
    dictionary = without(dictionary, 'employer'); // 12 values
    dictionary = edited(dictionary, 'bodyType', { entity: 'household' }); // moved, no values
    const plan = await planSchemaChanges('postgres', counting({ 'residents.employer': 12 }), dictionary, templates(), catalog);
    expect(plan.changes.map((c) => [c.change, c.field, c.table, c.column])).toEqual([
      ['add_column', 'bodyType', 'households', 'body_type'],
      ['drop_column', 'bodyType', 'residents', 'body_type'],
      ['drop_column', 'photoCollected', 'residents', 'photo_collected'],
    ]);
    expect(plan.refusals).toEqual([expect.stringMatching(/字段 "employer"已不在 templates\/dictionary\.yaml 中，但 residents\.employer 还有 12 条记录有值.*加回/)]);
  });

  it('drops the index of a filter no template uses any more', async () => {
    const catalog = settled(defs.dictionary);
    catalog.indexes.set('IDX_form_residents_health_status', { table: 'residents' });
    const plan = await planSchemaChanges('postgres', counting({}), defs.dictionary, templates(), catalog);
    expect(plan.changes.map((c) => [c.change, c.index, c.field])).toEqual([['drop_index', 'IDX_form_residents_health_status', 'healthStatus']]);
  });
});
