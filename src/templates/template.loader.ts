import fs from 'node:fs';
import path from 'node:path';
import { DefinitionReader, join } from '../common/definition/definition-reader.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { BlankFormError, type BlankForm, readBlankForm } from './blank-form.reader.js';
import { type FormKinds, parseTemplate } from './template.parser.js';
import type { TemplateDef, ViewEntity } from './template.types.js';

/** What the ledger needs to know of a department form: who it is for and which canonical fields feed it. */
export interface TemplateSummary {
  code: string;
  name: string;
  department: string;
  title: string;
  file: string;
  /** Dictionary keys the form shows, filters or sorts on, in order of first use. */
  fields: string[];
  definition: Record<string, unknown>;
  /** The parsed, checked template. */
  def: TemplateDef;
}

const TEMPLATE_FILE = /^[A-Z][A-Z0-9_-]*\.ya?ml$/;

/** Reads every template file (`templates/F01.yaml` …); stops with file, path and reason on the first bad one. */
export async function loadTemplates(dir: string, dictionary: Dictionary): Promise<TemplateSummary[]> {
  const files = fs.readdirSync(dir).filter((f) => TEMPLATE_FILE.test(f)).sort();
  const templates: TemplateSummary[] = [];
  const kinds = formKinds(dir, files);
  for (const file of files) templates.push(await readTemplate(path.join(dir, file), dictionary, kinds));
  const seen = new Map<string, string>();
  for (const t of templates) {
    if (seen.has(t.code)) throw new DefinitionReader(t.file).fail('code', `表单代码 "${t.code}" 已在 ${seen.get(t.code)} 中使用`);
    seen.set(t.code, path.basename(t.file));
  }
  for (const t of templates) checkFormReferences(t, new Map(templates.map((x) => [x.code, x.def])));
  // A form that counts or classifies by another form's rows (F09 counts F01's rows) uses that form's row filter too.
  const rowFields = new Map(templates.map((t) => [t.code, fieldRefs(t.definition.rows, dictionary)]));
  for (const t of templates) {
    for (const code of formRefs(t.definition, seen, t.code)) for (const key of rowFields.get(code) ?? []) if (!t.fields.includes(key)) t.fields.push(key);
  }
  return templates;
}

function fieldRefs(node: unknown, dictionary: Dictionary): string[] {
  const keys: string[] = [];
  collectFieldRefs(node, '', (key) => void (dictionary.byKey.has(key) && !keys.includes(key) && keys.push(key)));
  return keys;
}

/** Codes of other templates named anywhere in this one, as a value or as a key (`count: { form: F01 }`, `keyGroups: { F01: 独居老人 }`). */
function formRefs(node: unknown, codes: Map<string, string>, self: string, found = new Set<string>()): Set<string> {
  if (typeof node === 'string' && codes.has(node) && node !== self) found.add(node);
  else if (Array.isArray(node)) node.forEach((v) => formRefs(v, codes, self, found));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (codes.has(k) && k !== self) found.add(k);
      formRefs(v, codes, self, found);
    }
  }
  return found;
}

/**
 * What each file holds, read from its raw YAML before any is parsed: a form counting another's rows with conditions
 * (`count: { form: F07 }, where: …`) checks them against that form's fields, whichever file comes first.
 */
function formKinds(dir: string, files: string[]): FormKinds {
  const kinds = new Map<string, ViewEntity | 'summary'>();
  for (const file of files) {
    const raw = new DefinitionReader(path.join(dir, file)).root as { code?: unknown; summary?: unknown; rows?: { entity?: unknown } } | null;
    const code = raw && typeof raw.code === 'string' ? raw.code : file.replace(/\.ya?ml$/, '');
    const entity = raw?.rows?.entity;
    // A malformed file fails with its own reasons when it is parsed; here it only must not stop another's check.
    if (raw?.summary === true) kinds.set(code, 'summary');
    else kinds.set(code, entity === 'visit' || entity === 'business' ? entity : 'resident');
  }
  return kinds;
}

async function readTemplate(file: string, dictionary: Dictionary, kinds?: FormKinds): Promise<TemplateSummary> {
  const r = new DefinitionReader(file);
  const o = r.object(r.root, '');
  const blankFile = r.string(o, 'blankForm', '', { optional: true });
  let blank: BlankForm | undefined;
  if (blankFile) {
    const blankPath = path.resolve(path.dirname(file), blankFile);
    if (!fs.existsSync(blankPath)) r.fail('blankForm', `找不到部门表样文件 ${blankFile}`);
    try {
      blank = await readBlankForm(blankPath);
    } catch (e) {
      r.fail('blankForm', e instanceof BlankFormError ? `${blankFile}：${e.message}` : String(e));
    }
  }
  const code = r.string(o, 'code', '', { pattern: /^[A-Z][A-Z0-9_]*$/ })!;
  if (path.basename(file).replace(/\.ya?ml$/, '') !== code) r.fail('code', `表单代码 "${code}" 应与文件名一致`);
  const columns = r.array(o.columns, 'columns');
  if (columns.length === 0) r.fail('columns', '至少要有一列');
  columns.forEach((c, i) => {
    const header = r.object(c, `columns[${i}]`).header;
    if (header === undefined && blank) return;
    const ok = typeof header === 'string' ? header.trim() !== '' : Array.isArray(header) && header.length > 0 && header.every((h) => typeof h === 'string' && h.trim() !== '');
    if (!ok) r.fail(`columns[${i}].header`, '表头应为文本，或分组表头的文本列表（如 [紧急联系人, 姓名]）');
  });
  const fields: string[] = [];
  collectFieldRefs(o, '', (key, at, kind) => {
    if (!dictionary.byKey.has(key)) {
      if (kind === 'related') return; // a built-in relation (a visit's resident or staff), not a field
      r.fail(at, `字段 "${key}" 不在字段字典 templates/dictionary.yaml 中`);
    }
    if (!fields.includes(key)) fields.push(key);
  });
  const def = parseTemplate(r, o, dictionary, blank, kinds);
  return {
    code,
    def,
    name: def.name,
    department: def.department,
    title: def.title,
    file,
    fields,
    definition: o,
  };
}

/** Every `field: key` (and `related: key`) anywhere in the template: columns, filters, sorts, compositions. */
function collectFieldRefs(node: unknown, at: string, found: (key: string, at: string, kind: 'field' | 'related') => void): void {
  if (Array.isArray(node)) return node.forEach((v, i) => collectFieldRefs(v, join(at, i), found));
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'field' || k === 'related') && typeof v === 'string') found(v, join(at, k), k);
    else if (k === 'age' && v) found('birthDate', join(at, k), 'field'); // age on the reference date comes from the birth date
    else collectFieldRefs(v, join(at, k), found);
  }
}

/** Forms named by another form must exist and hold rows of the right kind. */
function checkFormReferences(t: TemplateSummary, defs: Map<string, TemplateDef>): void {
  const r = new DefinitionReader(t.file);
  const rowsOf = (code: string, at: string, entity?: string) => {
    const other = defs.get(code);
    if (!other) return r.fail(at, `没有代码为 "${code}" 的表单`);
    if (other.rows.kind !== 'rows' || (entity && other.rows.entity !== entity)) r.fail(at, `表单 ${code} 不是${entity === 'resident' ? '居民' : '明细'}表，不能在此引用`);
  };
  t.def.summaries.forEach((code, i) => {
    const other = defs.get(code);
    if (!other) return r.fail(`summaries[${i}]`, `没有代码为 "${code}" 的表单`);
    if (other.rows.kind !== 'summary') r.fail(`summaries[${i}]`, `表单 ${code} 不是汇总表（summary: true），不能作为随本表导出的汇总表`);
  });
  t.def.columns.forEach((c, i) => {
    if (c.source.kind === 'countForm') rowsOf(c.source.form, `columns[${i}].count.form`);
    if (c.source.kind === 'keyGroups') c.source.groups.forEach((g) => rowsOf(g.form, `columns[${i}].keyGroups.${g.form}`, 'resident'));
  });
  if (t.def.rows.kind === 'rows') {
    t.def.rows.where.forEach((w, i) => {
      if (w.kind === 'keyGroup') w.forms.forEach((f) => rowsOf(f, `rows.where[${i}].keyGroupOnVisitDate`, 'resident'));
    });
  }
}
