import fs from 'node:fs';
import path from 'node:path';
import { DefinitionReader, join } from '../common/definition/definition-reader.js';
import {
  type CodeList, type Condition, type Dictionary, ENTITIES, FIELD_TYPES, type FieldDef, SENSITIVITIES, type Section,
} from './dictionary.types.js';

const FIELD_KEYS = [
  'key', 'label', 'entity', 'section', 'type', 'required', 'sensitivity', 'codeList', 'maxLength', 'min', 'max', 'scale',
  'derivedFrom', 'notAfterToday', 'notBefore', 'onlyWhen', 'requiredWhen', 'help', 'readOnly', 'aliases',
] as const;

/** Reads `templates/dictionary.yaml` and `templates/code-lists/*.yaml`; throws a DefinitionError on anything wrong. */
export function loadDictionary(templatesDir: string): Dictionary {
  const codeLists = loadCodeLists(path.join(templatesDir, 'code-lists'));
  const r = new DefinitionReader(path.join(templatesDir, 'dictionary.yaml'));
  const root = r.object(r.root, '');
  r.onlyKeys(root, '', ['sections', 'fields']);

  const sections: Section[] = r.array(root.sections, 'sections').map((s, i) => {
    const o = r.object(s, `sections[${i}]`);
    r.onlyKeys(o, `sections[${i}]`, ['key', 'label']);
    return { key: r.string(o, 'key', `sections[${i}]`)!, label: r.string(o, 'label', `sections[${i}]`)! };
  });
  const sectionKeys = sections.map((s) => s.key);

  const fields: FieldDef[] = r.array(root.fields, 'fields').map((f, i) => readField(r, f, `fields[${i}]`, sectionKeys));
  const byKey = new Map<string, FieldDef>();
  fields.forEach((f, i) => {
    if (byKey.has(f.key)) r.fail(`fields[${i}].key`, `字段 "${f.key}" 重复定义`);
    byKey.set(f.key, f);
  });
  fields.forEach((f, i) => checkReferences(r, f, `fields[${i}]`, byKey, codeLists));
  checkAliases(r, fields);
  return { sections, fields, byKey, codeLists };
}

function readField(r: DefinitionReader, raw: unknown, at: string, sectionKeys: string[]): FieldDef {
  const o = r.object(raw, at);
  r.onlyKeys(o, at, FIELD_KEYS);
  const key = r.string(o, 'key', at, { pattern: /^[a-z][A-Za-z0-9]*$/ })!;
  const field: FieldDef = {
    key,
    label: r.string(o, 'label', at)!,
    entity: r.string(o, 'entity', at, { oneOf: ENTITIES }) as FieldDef['entity'],
    section: r.string(o, 'section', at, { oneOf: sectionKeys })!,
    type: r.string(o, 'type', at, { oneOf: FIELD_TYPES }) as FieldDef['type'],
    required: r.boolean(o, 'required', at) ?? false,
    sensitivity: r.string(o, 'sensitivity', at, { oneOf: SENSITIVITIES }) as FieldDef['sensitivity'],
    codeList: r.string(o, 'codeList', at, { optional: true }),
    maxLength: r.number(o, 'maxLength', at, { integer: true }),
    min: r.number(o, 'min', at),
    max: r.number(o, 'max', at),
    scale: r.number(o, 'scale', at, { integer: true }),
    derivedFrom: r.string(o, 'derivedFrom', at, { optional: true }),
    notAfterToday: r.boolean(o, 'notAfterToday', at),
    notBefore: r.string(o, 'notBefore', at, { optional: true }),
    onlyWhen: readCondition(r, o.onlyWhen, join(at, 'onlyWhen')),
    requiredWhen: readCondition(r, o.requiredWhen, join(at, 'requiredWhen')),
    help: r.string(o, 'help', at, { optional: true }),
    readOnly: r.boolean(o, 'readOnly', at),
    aliases: o.aliases === undefined ? undefined : r.array(o.aliases, join(at, 'aliases')).map((a, j) => {
      if (typeof a !== 'string' || a.trim() === '') r.fail(join(join(at, 'aliases'), j), '别名应为非空文本');
      return a.trim();
    }),
  };
  if (field.type === 'code' && !field.codeList) r.fail(join(at, 'codeList'), '代码类字段必须指定代码表');
  if (field.type === 'text' && !field.derivedFrom && field.maxLength === undefined) r.fail(join(at, 'maxLength'), '文本字段必须限定最大长度');
  if (field.readOnly && field.required) r.fail(join(at, 'readOnly'), '只读字段不能是必填字段（登记时无从填写）');
  if (!field.derivedFrom) field.column = columnName(field);
  for (const k of Object.keys(field) as (keyof FieldDef)[]) if (field[k] === undefined) delete field[k];
  return field;
}

function readCondition(r: DefinitionReader, raw: unknown, at: string): Condition | undefined {
  if (raw === undefined || raw === null) return undefined;
  const o = r.object(raw, at);
  r.onlyKeys(o, at, ['field', 'in', 'present', 'equals']);
  const c: Condition = { field: r.string(o, 'field', at)! };
  if (o.in !== undefined) c.in = r.array(o.in, join(at, 'in')).map((v) => String(v));
  if (o.present !== undefined) c.present = r.boolean(o, 'present', at);
  if (o.equals !== undefined) c.equals = o.equals as Condition['equals'];
  if ([c.in, c.present, c.equals].filter((v) => v !== undefined).length !== 1) {
    r.fail(at, '条件须且只须给出 in、present、equals 之一');
  }
  return c;
}

function checkReferences(r: DefinitionReader, f: FieldDef, at: string, byKey: Map<string, FieldDef>, lists: Map<string, CodeList>) {
  if (f.codeList && !lists.has(f.codeList)) r.fail(join(at, 'codeList'), `未知的代码表 "${f.codeList}"（templates/code-lists/ 下没有此文件）`);
  for (const [name, ref] of [['derivedFrom', f.derivedFrom], ['notBefore', f.notBefore], ['onlyWhen.field', f.onlyWhen?.field], ['requiredWhen.field', f.requiredWhen?.field]] as const) {
    if (ref === undefined) continue;
    const target = byKey.get(ref);
    if (!target) r.fail(join(at, name), `引用了不存在的字段 "${ref}"`);
    const sameRecord = target.entity === f.entity || (['resident', 'household'].includes(target.entity) && ['resident', 'household'].includes(f.entity));
    if (!sameRecord) r.fail(join(at, name), `字段 "${ref}" 属于 ${target.entity}，不能在 ${f.entity} 的字段中引用`);
  }
  const codeListOf = (key: string) => byKey.get(key)?.codeList;
  for (const [name, c] of [['onlyWhen', f.onlyWhen], ['requiredWhen', f.requiredWhen]] as const) {
    const list = c?.in && codeListOf(c.field);
    if (c?.in && !list) r.fail(join(at, `${name}.in`), `"in" 只能用于代码类字段`);
    for (const code of c?.in ?? []) {
      if (!lists.get(list as string)?.byCode.has(code)) r.fail(join(at, `${name}.in`), `代码 "${code}" 不在代码表 ${list} 中`);
    }
  }
}

/**
 * Header wordings departments use for a field (身份证号 / 公民身份号码): the template drafter matches blank forms by them.
 * Within one record (a resident and its household are one) a wording names one field only, or a draft could not tell.
 */
function checkAliases(r: DefinitionReader, fields: FieldDef[]): void {
  const group = (f: FieldDef) => (f.entity === 'household' ? 'resident' : f.entity);
  const owner = new Map<string, FieldDef>();
  for (const f of fields) owner.set(`${group(f)}:${f.label}`, f);
  fields.forEach((f, i) => {
    (f.aliases ?? []).forEach((alias, j) => {
      const at = `fields[${i}].aliases[${j}]`;
      const other = owner.get(`${group(f)}:${alias}`);
      if (other === f) r.fail(at, `别名 "${alias}" 与字段名称或其他别名重复`);
      if (other) r.fail(at, `别名 "${alias}" 已是字段 "${other.key}" 的${other.label === alias ? '名称' : '别名'}：同一说法只能指一个字段`);
      owner.set(`${group(f)}:${alias}`, f);
    });
  });
}

export function columnName(f: Pick<FieldDef, 'key' | 'type'>): string {
  const snake = f.key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return f.type === 'staffRef' || f.type === 'residentRef' ? `${snake}_id` : snake;
}

function loadCodeLists(dir: string): Map<string, CodeList> {
  const lists = new Map<string, CodeList>();
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : [];
  for (const file of files) {
    const r = new DefinitionReader(path.join(dir, file));
    const o = r.object(r.root, '');
    r.onlyKeys(o, '', ['key', 'name', 'standard', 'items']);
    const key = r.string(o, 'key', '')!;
    if (`${key}.yaml` !== file) r.fail('key', `代码表的 key "${key}" 应与文件名 ${file} 一致`);
    const items = r.array(o.items, 'items').map((raw, i) => {
      const item = r.object(raw, `items[${i}]`);
      r.onlyKeys(item, `items[${i}]`, ['code', 'name']);
      return { code: r.string(item, 'code', `items[${i}]`)!, name: r.string(item, 'name', `items[${i}]`)! };
    });
    const byCode = new Map(items.map((it) => [it.code, it]));
    const byName = new Map(items.map((it) => [it.name, it]));
    if (byCode.size !== items.length) r.fail('items', '代码重复');
    if (byName.size !== items.length) r.fail('items', '名称重复');
    lists.set(key, { key, name: r.string(o, 'name', '')!, standard: r.string(o, 'standard', '')!, items, byCode, byName });
  }
  return lists;
}
