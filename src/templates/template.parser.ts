import { type DefinitionReader, join } from '../common/definition/definition-reader.js';
import type { Dictionary, EntityName, FieldDef } from '../dictionary/dictionary.types.js';
import { type BlankForm, titlePattern } from './blank-form.reader.js';
import type { ColumnSource, Condition, Format, ReportingSpec, RowSet, Sort, TemplateColumn, TemplateDef, ValueType, ViewEntity } from './template.types.js';

type Obj = Record<string, unknown>;

const TEMPLATE_KEYS = ['code', 'query', 'name', 'department', 'title', 'period', 'reporting', 'summary', 'summaries', 'blankForm', 'rows', 'columns'] as const;
const SOURCE_KEYS = ['rowNumber', 'field', 'related', 'latest', 'age', 'orgUnit', 'concat', 'keyGroups', 'count', 'constant', 'band', 'ratio', 'householdSize'] as const;

/** What the other templates hold, by code: the entity of a row form's rows, or 'summary'. Lets `count: { form }` check its `where`. */
export type FormKinds = ReadonlyMap<string, ViewEntity | 'summary'>;

/** Entities whose fields a view of `entity` can show directly (a resident's household facts are the resident's). */
export const OWN: Record<ViewEntity, EntityName[]> = { resident: ['resident', 'household'], visit: ['visit'], business: ['business'] };
/** Relations a view can follow, and the entities whose fields are then reachable. */
export const RELATIONS: Record<ViewEntity, Record<string, EntityName[]>> = {
  resident: { liaisonStaff: ['staff'] },
  visit: { resident: ['resident', 'household'], staff: ['staff'] },
  business: { operator: ['resident', 'household'] },
};

/** Parses and checks one template; `dict` decides which fields exist. Cross-template references are checked by the loader. */
export function parseTemplate(r: DefinitionReader, o: Obj, dict: Dictionary, blank?: BlankForm, forms?: FormKinds): TemplateDef {
  r.onlyKeys(o, '', TEMPLATE_KEYS);
  const summary = r.boolean(o, 'summary', '') ?? false;
  const period = r.string(o, 'period', '', { optional: true, oneOf: ['date', 'month'] }) as TemplateDef['period'] | undefined;
  const rowsAt = 'rows';
  const rowsObj = r.object(o.rows, rowsAt);
  let rows: TemplateDef['rows'];
  let entity: ViewEntity = 'resident';
  if (summary) {
    r.onlyKeys(rowsObj, rowsAt, ['groupBy', 'totalsRow']);
    const groupBy = r.object(rowsObj.groupBy, join(rowsAt, 'groupBy'));
    const level = r.string(groupBy, 'orgUnit', join(rowsAt, 'groupBy'), { oneOf: ['community', 'grid'] }) as 'community' | 'grid';
    const totals = r.object(rowsObj.totalsRow, join(rowsAt, 'totalsRow'));
    r.onlyKeys(totals, join(rowsAt, 'totalsRow'), ['label', 'labelColumn']);
    // labelColumn is resolved once the columns are known (below).
    rows = { kind: 'summary', groupBy: level, totalsLabel: r.string(totals, 'label', join(rowsAt, 'totalsRow'))!, labelColumn: '' };
  } else {
    r.onlyKeys(rowsObj, rowsAt, ['entity', 'where', 'orderBy', 'totalsRow']);
    entity = r.string(rowsObj, 'entity', rowsAt, { oneOf: ['resident', 'visit', 'business'] }) as ViewEntity;
    rows = {
      kind: 'rows',
      entity,
      where: parseConditions(r, rowsObj.where, join(rowsAt, 'where'), dict, entity),
      orderBy: r.array(rowsObj.orderBy ?? [], join(rowsAt, 'orderBy')).map((s, i) => parseSort(r, s, join(join(rowsAt, 'orderBy'), i), dict, entity)),
    };
  }
  const rawColumns = r.array(o.columns, 'columns');
  if (blank && rawColumns.length !== blank.headers.length) {
    r.fail('columns', `部门表样有 ${blank.headers.length} 列，模板有 ${rawColumns.length} 列：每列表样都要有一个数据来源`);
  }
  const columns = rawColumns.map((c, i) => parseColumn(r, c, `columns[${i}]`, dict, entity, summary, blank?.headers[i], forms));
  const keys = new Set<string>();
  columns.forEach((c, i) => {
    if (keys.has(c.key)) r.fail(`columns[${i}].key`, `列键 "${c.key}" 重复`);
    keys.add(c.key);
  });
  columns.forEach((c, i) => c.source.kind === 'ratio' && checkRatio(r, c.source, `columns[${i}].ratio`, columns));
  if (rows.kind === 'rows' && rowsObj.totalsRow !== undefined) rows.totals = parseTotals(r, rowsObj.totalsRow, join(rowsAt, 'totalsRow'), columns);
  if (rows.kind === 'summary') rows.labelColumn = summaryLabelColumn(r, (rowsObj.totalsRow as Obj).labelColumn, join(join(rowsAt, 'totalsRow'), 'labelColumn'), columns);
  const summaries = o.summaries === undefined ? [] : r.array(o.summaries, 'summaries').map((code, i) => {
    if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) r.fail(`summaries[${i}]`, '应为汇总表的表单代码，如 F09');
    return code;
  });
  if (summary && summaries.length) r.fail('summaries', '汇总表不能再带汇总表：summaries 写在明细表里，列出随它一起导出的汇总表');
  // The blank form is the source of truth for the title; a title in the template must say the same.
  const title = r.string(o, 'title', '', { optional: !!blank });
  if (blank && title && title !== titlePattern(blank.title)) r.fail('title', `与部门表样的标题不一致：表样为"${blank.title}"（即 ${titlePattern(blank.title)}）`);
  return {
    layout: blank,
    code: r.string(o, 'code', '')!,
    query: r.string(o, 'query', '', { pattern: /^[a-z][A-Za-z0-9]*$/ })!,
    name: r.string(o, 'name', '')!,
    department: r.string(o, 'department', '')!,
    title: title ?? titlePattern(blank!.title),
    period: period ?? 'date',
    reporting: parseReporting(r, o.reporting, summary, rows.kind === 'summary' ? rows.groupBy : undefined),
    blankForm: r.string(o, 'blankForm', '', { optional: true }),
    rows,
    columns,
    summaries,
  };
}

/**
 * How the form is reported. Without a `reporting` block: monthly, due the 10th, filled by the community and reviewed
 * by the street (a summary form: by the street, reviewed by the district).
 */
function parseReporting(r: DefinitionReader, raw: unknown, summary: boolean, groupBy?: 'community' | 'grid'): ReportingSpec {
  const filledDefault = summary ? 'street' : 'community';
  if (raw === undefined) return { frequency: 'month', dueDay: 10, filledBy: filledDefault, reviewedBy: summary ? 'district' : 'street' };
  const at = 'reporting';
  const o = r.object(raw, at);
  r.onlyKeys(o, at, ['frequency', 'dueDay', 'filledBy', 'reviewedBy']);
  const frequency = r.string(o, 'frequency', at, { oneOf: ['month', 'quarter', 'year'] }) as ReportingSpec['frequency'];
  const dueDay = r.number(o, 'dueDay', at, { integer: true }) ?? 10;
  if (dueDay < 1 || dueDay > 28) r.fail(join(at, 'dueDay'), '报送截止日应为 1–28 之间的整数（次月几号）');
  const filledBy = (r.string(o, 'filledBy', at, { optional: true, oneOf: ['community', 'street'] }) ?? filledDefault) as ReportingSpec['filledBy'];
  const reviewedBy = (r.string(o, 'reviewedBy', at, { optional: true, oneOf: ['street', 'district'] }) ?? (filledBy === 'street' ? 'district' : 'street')) as ReportingSpec['reviewedBy'];
  if (filledBy === 'street' && reviewedBy !== 'district') r.fail(join(at, 'reviewedBy'), '街道填报的表须由区县审核（district）');
  // A summary by community sums a street's communities: the street reports it. One by grid (V03) may be a community's own.
  if (summary && groupBy === 'community' && filledBy !== 'street') r.fail(join(at, 'filledBy'), '按社区汇总的汇总表由街道填报（street）');
  return { frequency, dueDay, filledBy, reviewedBy };
}

function fieldOf(r: DefinitionReader, key: unknown, at: string, dict: Dictionary, entities: EntityName[]): FieldDef {
  if (typeof key !== 'string') r.fail(at, '应为字段键');
  const f = dict.byKey.get(key);
  if (!f) r.fail(at, `字段 "${key}" 不在字段字典 templates/dictionary.yaml 中`);
  if (!entities.includes(f.entity)) r.fail(at, `字段 "${key}" 属于 ${f.entity}，此处只能用 ${entities.join('、')} 的字段`);
  return f;
}

function parseConditions(r: DefinitionReader, raw: unknown, at: string, dict: Dictionary, entity: ViewEntity): Condition[] {
  return r.array(raw ?? [], at).map((c, i) => parseCondition(r, c, join(at, i), dict, entity));
}

function parseCondition(r: DefinitionReader, c: unknown, cat: string, dict: Dictionary, entity: ViewEntity): Condition {
  const o = r.object(c, cat);
  if ('age' in o) {
    r.onlyKeys(o, cat, ['age']);
    const age = r.object(o.age, join(cat, 'age'));
    r.onlyKeys(age, join(cat, 'age'), ['gte', 'lte']);
    return { kind: 'age', gte: r.number(age, 'gte', join(cat, 'age'), { integer: true }), lte: r.number(age, 'lte', join(cat, 'age'), { integer: true }) };
  }
  if ('not' in o) {
    r.onlyKeys(o, cat, ['not']);
    return { kind: 'not', condition: parseCondition(r, o.not, join(cat, 'not'), dict, entity) };
  }
  if ('any' in o) {
    r.onlyKeys(o, cat, ['any']);
    const of = parseConditions(r, o.any, join(cat, 'any'), dict, entity);
    if (of.length < 2) r.fail(join(cat, 'any'), '"any" 至少要有两个条件（其中之一成立即可）');
    return { kind: 'any', of };
  }
  if ('keyGroupOnVisitDate' in o) {
    r.onlyKeys(o, cat, ['keyGroupOnVisitDate']);
    const forms = r.array(o.keyGroupOnVisitDate, join(cat, 'keyGroupOnVisitDate')).map(String);
    return { kind: 'keyGroup', forms };
  }
  r.onlyKeys(o, cat, ['field', 'in', 'equals', 'present', 'inPeriod']);
  const f = fieldOf(r, o.field, join(cat, 'field'), dict, [...OWN[entity]]);
  if (f.derivedFrom && !(f.key === 'gender' && o.in !== undefined)) r.fail(cat, `"${f.key}" 由公民身份号码得出：按年龄请用 age 条件，按性别请用 { field: gender, in: [...] }`);
  if (o.inPeriod !== undefined) {
    if (f.type !== 'date') r.fail(join(cat, 'inPeriod'), '"inPeriod" 只能用于日期字段');
    return { kind: 'inPeriod', field: f.key };
  }
  const given = ['in', 'equals', 'present'].filter((k) => o[k] !== undefined);
  if (given.length !== 1) r.fail(cat, '条件须且只须给出 in、equals、present 之一');
  if (o.in !== undefined) {
    const list = f.codeList ? dict.codeLists.get(f.codeList) : undefined;
    if (!list) r.fail(join(cat, 'in'), '"in" 只能用于代码类字段');
    const codes = r.array(o.in, join(cat, 'in')).map(String);
    for (const code of codes) if (!list.byCode.has(code)) r.fail(join(cat, 'in'), `代码 "${code}" 不在代码表 ${list.key} 中`);
    return { kind: 'field', field: f.key, in: codes };
  }
  if (o.present !== undefined) return { kind: 'field', field: f.key, present: r.boolean(o, 'present', cat) };
  return { kind: 'field', field: f.key, equals: o.equals as string | number | boolean };
}

function parseTotals(r: DefinitionReader, raw: unknown, at: string, columns: TemplateColumn[]): NonNullable<RowSet['totals']> {
  const o = r.object(raw, at);
  r.onlyKeys(o, at, ['label', 'labelColumn', 'count', 'sum']);
  const column = (key: unknown, where: string) => {
    const c = columns.find((x) => x.key === key);
    if (!c) r.fail(where, `没有列键为 "${String(key)}" 的列`);
    return c;
  };
  const labelColumn = columnKey(r, r.string(o, 'labelColumn', at), join(at, 'labelColumn'), columns);
  const count = r.array(o.count ?? [], join(at, 'count')).map((k, i) => column(k, join(join(at, 'count'), i)).key);
  const sum = r.array(o.sum ?? [], join(at, 'sum')).map((k, i) => {
    const c = column(k, join(join(at, 'sum'), i));
    if (c.type !== 'integer' && c.type !== 'decimal') r.fail(join(join(at, 'sum'), i), `列 "${c.key}" 不是数值列，不能求和`);
    return c.key;
  });
  if (count.includes(labelColumn) || sum.includes(labelColumn)) r.fail(join(at, 'labelColumn'), `列 "${labelColumn}" 已用于计数或求和，"合计"字样须写在另一列`);
  return { label: r.string(o, 'label', at)!, labelColumn, count, sum };
}

/**
 * A totals row's labelColumn: a column key, as everywhere else in a template. A header text (社区) is refused with
 * the key to write instead.
 */
function columnKey(r: DefinitionReader, raw: unknown, at: string, columns: TemplateColumn[]): string {
  const key = String(raw);
  if (columns.some((c) => c.key === key)) return key;
  const byHeader = columns.find((c) => c.header.at(-1) === key || c.header.join('／') === key);
  if (byHeader) r.fail(at, `"${key}" 是表头，不是列键：labelColumn 应写列键，该列的列键为 "${byHeader.key}"`);
  r.fail(at, `没有列键为 "${key}" 的列；可用的列键：${columns.map((c) => c.key).join('、')}`);
}

/** Where a summary's 合计 label goes: the named column (not a count), else the first org unit column. */
function summaryLabelColumn(r: DefinitionReader, raw: unknown, at: string, columns: TemplateColumn[]): string {
  if (raw === undefined) {
    const first = columns.find((c) => c.source.kind === 'orgUnit');
    if (!first) r.fail(at, '没有区划名称列：请用 labelColumn 写明"合计"字样放在哪一列（列键）');
    return first.key;
  }
  if (typeof raw !== 'string' || raw.trim() === '') r.fail(at, '应为列键');
  const key = columnKey(r, raw, at, columns);
  const kind = columns.find((c) => c.key === key)!.source.kind;
  if (kind === 'count' || kind === 'countForm' || kind === 'ratio') r.fail(at, `列 "${key}" 是计数列，合计行要在这里写合计数，"合计"字样须写在另一列（如序号列）`);
  return key;
}

/** A ratio's part and whole are count columns of the same summary form. */
function checkRatio(r: DefinitionReader, s: Extract<ColumnSource, { kind: 'ratio' }>, at: string, columns: TemplateColumn[]): void {
  for (const side of ['part', 'whole'] as const) {
    const c = columns.find((x) => x.key === s[side]);
    if (!c) r.fail(join(at, side), `没有列键为 "${s[side]}" 的列`);
    if (c.source.kind !== 'count' && c.source.kind !== 'countForm') r.fail(join(at, side), `列 "${c.key}" 不是计数列（count）：比率只能用本表的两个计数列相除`);
  }
  if (s.part === s.whole) r.fail(at, 'part 和 whole 不能是同一列');
}

function parseBand(r: DefinitionReader, raw: unknown, at: string, dict: Dictionary, entity: ViewEntity): { source: ColumnSource; type: ValueType } {
  const o = r.object(raw, at);
  r.onlyKeys(o, at, ['of', 'bands', 'otherwise']);
  let of: { kind: 'age' } | { kind: 'field'; field: string };
  if (o.of === 'age') {
    if (entity !== 'resident') r.fail(join(at, 'of'), '按年龄分档只能用于居民表');
    of = { kind: 'age' };
  } else {
    const f = fieldOf(r, o.of, join(at, 'of'), dict, OWN[entity]);
    if (f.type !== 'integer' && f.type !== 'decimal') r.fail(join(at, 'of'), `字段 "${f.key}" 不是数值字段，不能分档`);
    of = { kind: 'field', field: f.key };
  }
  const bands = r.array(o.bands, join(at, 'bands')).map((b, i) => {
    const bat = join(join(at, 'bands'), i);
    const band = r.object(b, bat);
    r.onlyKeys(band, bat, ['min', 'max', 'value']);
    if (typeof band.value !== 'string' && typeof band.value !== 'number') r.fail(join(bat, 'value'), '应为文本或数字');
    const min = r.number(band, 'min', bat);
    const max = r.number(band, 'max', bat);
    if (min !== undefined && max !== undefined && min > max) r.fail(bat, 'min 不能大于 max');
    return { min, max, value: band.value as string | number };
  });
  if (bands.length === 0) r.fail(join(at, 'bands'), '至少要有一档');
  const otherwise = o.otherwise === undefined ? null : (o.otherwise as string | number);
  const values = [...bands.map((b) => b.value), ...(otherwise === null ? [] : [otherwise])];
  const type: ValueType = values.every((v) => typeof v === 'number') ? (values.every((v) => Number.isInteger(v)) ? 'integer' : 'decimal') : 'text';
  return { source: { kind: 'band', of, bands, otherwise }, type };
}

function parseSort(r: DefinitionReader, raw: unknown, at: string, dict: Dictionary, entity: ViewEntity): Sort {
  const o = r.object(raw, at);
  if ('age' in o) {
    r.onlyKeys(o, at, ['age', 'descending']);
    if (o.age !== true) r.fail(join(at, 'age'), '按年龄排序写 { age: true }（由小到大），由大到小加 descending: true');
    if (entity !== 'resident') r.fail(join(at, 'age'), '按年龄排序只能用于居民表');
    return { kind: 'age', descending: r.boolean(o, 'descending', at) ?? false };
  }
  if ('orgUnit' in o) {
    r.onlyKeys(o, at, ['orgUnit']);
    return { kind: 'orgUnit', level: r.string(o, 'orgUnit', at, { oneOf: ['grid', 'community'] }) as 'grid' | 'community' };
  }
  r.onlyKeys(o, at, ['field', 'descending']);
  return { kind: 'field', field: fieldOf(r, o.field, join(at, 'field'), dict, [...OWN[entity]]).key, descending: r.boolean(o, 'descending', at) ?? false };
}

function parseFormat(r: DefinitionReader, raw: unknown, at: string): Format | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'codeName') return { kind: 'codeName' };
  if (raw === 'yyyy-mm-dd' || raw === 'yyyy.mm' || raw === 'yyyy年m月') return { kind: 'date', pattern: raw };
  if (typeof raw === 'string' && /^0\.0+$/.test(raw)) return { kind: 'decimal', places: raw.length - 2 };
  if (raw && typeof raw === 'object' && 'yesNo' in raw) {
    const o = raw as Obj;
    r.onlyKeys(o, at, ['yesNo', 'empty']);
    const words = o.yesNo;
    if (!Array.isArray(words) || words.length !== 2 || words.some((w) => typeof w !== 'string' || w.trim() === '')) r.fail(join(at, 'yesNo'), '应为两个词：[是的说法, 否的说法]，如 [是, 否]');
    const [yes, no] = words as string[];
    // Unfilled prints empty: nobody said no. A department that wants its 否 for nothing writes `empty: 否`.
    if (o.empty === undefined) return { kind: 'yesNo', yes, no };
    if (typeof o.empty !== 'string') r.fail(join(at, 'empty'), '应为文本：未填写时显示的内容，如 否');
    return { kind: 'yesNo', yes, no, empty: o.empty };
  }
  r.fail(at, '未知的格式：可用 codeName、yyyy-mm-dd、yyyy.mm、yyyy年m月、0.00、{ yesNo: [是, 否] }、{ yesNo: [是, 否], empty: 否 }');
}

function valueType(f: FieldDef, format: Format | undefined): ValueType {
  if (format?.kind === 'date') return format.pattern === 'yyyy-mm-dd' ? 'date' : 'text';
  if (format?.kind === 'decimal' || f.type === 'decimal') return 'decimal';
  if (f.type === 'integer') return 'integer';
  if (f.type === 'date') return 'date';
  return 'text';
}

function parseRatio(r: DefinitionReader, raw: unknown, at: string, format: Format | undefined, formatAt: string): ColumnSource {
  const o = r.object(raw, at);
  r.onlyKeys(o, at, ['part', 'whole', 'percent']);
  const part = r.string(o, 'part', at)!;
  const whole = r.string(o, 'whole', at)!;
  if (format && format.kind !== 'decimal') r.fail(formatAt, '比率列的格式只能是小数位数，如 "0.0"');
  // Checked against the other columns once all are read (checkRatio).
  return { kind: 'ratio', part, whole, percent: r.boolean(o, 'percent', at) ?? false, places: format?.kind === 'decimal' ? format.places : 2 };
}

function parseColumn(r: DefinitionReader, raw: unknown, at: string, dict: Dictionary, entity: ViewEntity, summary: boolean, blankHeader?: string[], forms?: FormKinds): TemplateColumn {
  const o = r.object(raw, at);
  r.onlyKeys(o, at, ['key', 'header', ...SOURCE_KEYS, 'format', 'where', 'joinWith', 'optional']);
  const key = r.string(o, 'key', at, { pattern: /^[a-z][A-Za-z0-9]*$/ })!;
  const given = o.header === undefined ? undefined : typeof o.header === 'string' ? [o.header] : (o.header as string[]);
  if (!given && !blankHeader) r.fail(join(at, 'header'), '没有部门表样时，每列都要写表头');
  if (given && blankHeader && given.join('／') !== blankHeader.join('／')) {
    r.fail(join(at, 'header'), `与部门表样的表头不一致：表样为"${blankHeader.join('／')}"，模板为"${given.join('／')}"`);
  }
  const header = (given ?? blankHeader)!;
  const format = parseFormat(r, o.format, join(at, 'format'));
  // optional: the department does not expect it filled (备注), so an empty cell is no gap on the work list.
  const optional = r.boolean(o, 'optional', at);
  const column = (source: ColumnSource, type: ValueType): TemplateColumn => ({ key, header, source, type, ...(optional ? { optional } : {}) });
  if (o.rowNumber) return column({ kind: 'rowNumber' }, 'integer');
  if (o.constant !== undefined) return column({ kind: 'constant', value: String(o.constant) }, 'text');
  if (o.orgUnit !== undefined) return column({ kind: 'orgUnit', level: r.string(o, 'orgUnit', at, { oneOf: ['grid', 'community'] }) as 'grid' | 'community' }, 'text');
  if (summary) {
    if (o.ratio !== undefined) return column(parseRatio(r, o.ratio, join(at, 'ratio'), format, join(at, 'format')), 'decimal');
    if (o.count === undefined) r.fail(at, '汇总表的列须为 rowNumber、orgUnit、count、ratio 或 constant');
    if (typeof o.count === 'string') {
      const of = r.string(o, 'count', at, { oneOf: ['grid', 'household', 'resident'] }) as 'grid' | 'household' | 'resident';
      if (of !== 'resident' && o.where !== undefined) r.fail(join(at, 'where'), '条件只能用于 count: resident 或 count: { form: … }');
      return column({ kind: 'count', of, where: parseConditions(r, o.where, join(at, 'where'), dict, 'resident') }, 'integer');
    }
    const count = r.object(o.count, join(at, 'count'));
    r.onlyKeys(count, join(at, 'count'), ['form']);
    const form = r.string(count, 'form', join(at, 'count'))!;
    // The conditions are over the counted form's rows: its fields (a visit form's visits, a resident form's residents).
    const kind = forms?.get(form);
    if (forms && kind === undefined) r.fail(join(join(at, 'count'), 'form'), `没有代码为 "${form}" 的表单`);
    if (kind === 'summary') r.fail(join(join(at, 'count'), 'form'), `表单 ${form} 是汇总表，只能计数明细表的行`);
    return column({ kind: 'countForm', form, where: parseConditions(r, o.where, join(at, 'where'), dict, kind ?? 'resident') }, 'integer');
  }
  if (o.ratio !== undefined) r.fail(join(at, 'ratio'), '比率列只能用于汇总表（两个计数列相除）');
  if (o.band !== undefined) {
    const { source, type } = parseBand(r, o.band, join(at, 'band'), dict, entity);
    return column(source, type);
  }
  if (o.householdSize !== undefined) {
    if (o.householdSize !== true) r.fail(join(at, 'householdSize'), '应为 true');
    return column({ kind: 'householdSize' }, 'integer');
  }
  if (o.age) {
    if (entity !== 'resident') r.fail(join(at, 'age'), '年龄只能用于居民表');
    return column({ kind: 'age' }, 'integer');
  }
  if (o.concat !== undefined) {
    const parts = r.array(o.concat, join(at, 'concat')).map((p, i) => ({ field: fieldOf(r, r.object(p, join(join(at, 'concat'), i)).field, join(join(join(at, 'concat'), i), 'field'), dict, OWN[entity]).key }));
    return column({ kind: 'concat', parts }, 'text');
  }
  if (o.keyGroups !== undefined) {
    if (entity !== 'visit') r.fail(join(at, 'keyGroups'), '人群类别只能用于走访表');
    const groups = Object.entries(r.object(o.keyGroups, join(at, 'keyGroups'))).map(([form, label]) => ({ form, label: String(label) }));
    return column({ kind: 'keyGroups', groups, joinWith: typeof o.joinWith === 'string' ? o.joinWith : '、' }, 'text');
  }
  if (o.latest !== undefined) {
    if (o.latest !== 'visit' || entity !== 'resident') r.fail(join(at, 'latest'), '目前只支持居民表的 latest: visit');
    const f = fieldOf(r, o.field, join(at, 'field'), dict, ['visit']);
    return column({ kind: 'latestVisit', field: f.key, format }, valueType(f, format));
  }
  if (o.related !== undefined) {
    const relation = r.string(o, 'related', at, { oneOf: Object.keys(RELATIONS[entity]) })!;
    const f = fieldOf(r, o.field, join(at, 'field'), dict, RELATIONS[entity][relation]);
    return column({ kind: 'field', field: f.key, related: relation, format }, valueType(f, format));
  }
  if (o.field === undefined) r.fail(at, `列须给出数据来源之一：${SOURCE_KEYS.join('、')}`);
  const f = fieldOf(r, o.field, join(at, 'field'), dict, OWN[entity]);
  if (format?.kind === 'codeName' && !f.codeList) r.fail(join(at, 'format'), `字段 "${f.key}" 没有代码表，不能用 codeName`);
  if (format?.kind === 'yesNo' && f.type !== 'boolean') r.fail(join(at, 'format'), `字段 "${f.key}" 不是是/否字段`);
  return column({ kind: 'field', field: f.key, format }, valueType(f, format));
}
