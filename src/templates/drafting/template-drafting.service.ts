import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { parse } from 'yaml';
import { AuditService } from '../../audit/audit.service.js';
import type { Viewer } from '../../access/viewer.js';
import { type Definitions, loadDefinitions } from '../../common/definition/definitions.js';
import { DefinitionError } from '../../common/errors/definition-error.js';
import { ValidationFailedError } from '../../common/errors/domain-errors.js';
import { ConfigService } from '../../config/config.service.js';
import { FIELD_TYPES, type FieldType } from '../../dictionary/dictionary.types.js';
import { BlankFormError, readBlankForm } from '../blank-form.reader.js';
import { draftContract } from './draft-contract.js';
import { dictionaryLine, newFieldEntry, planFromDraft, type TemplatePlan, templateYaml } from './draft-yaml.js';
import type { NewField, SourceEntry, TemplateDraft } from './draft.types.js';
import { proposeNewField } from './new-field.js';
import { draftTemplate } from './template-drafter.js';

/** What an administrator decided on the page, column by column. */
export interface DraftChoices {
  code: string;
  query: string;
  name: string;
  department: string;
  /** The row filter as YAML (a list; `[]`: every record). Required for detail forms. */
  where?: string;
  orderBy?: string;
  columns: { index: number; source?: SourceEntry | null; newField?: { key: string; label: string; type: string } }[];
}

export interface DraftCheck {
  ok: boolean;
  /** Where the files the save would write go wrong: file (under TEMPLATES_DIR), path inside it, reason. */
  errors: { file: string; at: string; reason: string }[];
  yaml: string;
  dictionaryLines: string[];
  files: string[];
  /** What the next start does with the saved files (Chinese). */
  nextStart: string[];
}

/** Drafts templates from uploaded blank forms and saves the reviewed result under TEMPLATES_DIR. */
@Injectable()
export class TemplateDraftingService {
  constructor(
    private readonly config: ConfigService,
    private readonly audit: AuditService,
  ) {}

  /** The draft of an uploaded blank form (the contract of `templates:draft --json`) and its YAML. */
  async draft(bytes: Buffer, fileName: string, code?: string) {
    const defs = await this.definitions();
    const taken = new Set(defs.templates.map((t) => t.code));
    const fromName = /^([A-Z][A-Z0-9]*)(?=[_.\-\s])/.exec(fileName)?.[1];
    const chosen = code || (fromName && !taken.has(fromName) ? fromName : [...Array(99).keys()].map((n) => `X${String(n + 1).padStart(2, '0')}`).find((c) => !taken.has(c))!);
    const draft = await this.drafted(defs, bytes, chosen);
    return { ...draftContract(draft), yaml: templateYaml(planFromDraft(draft, { from: fileName })), newFields: draft.newFields, keys: draft.columns.map((c) => c.key) };
  }

  /** The files a save would write, checked as the next start checks them (on a copy of TEMPLATES_DIR). */
  async check(bytes: Buffer, fileName: string, choices: DraftChoices): Promise<DraftCheck> {
    const defs = await this.definitions();
    const code = this.code(choices.code, defs);
    const draft = await this.drafted(defs, bytes, code);
    const errors: DraftCheck['errors'] = [];
    const plan = this.plan(draft, fileName, choices, errors);
    const yaml = templateYaml(plan);
    const dictionaryLines = plan.newFields.map(dictionaryLine);
    const files = [`${code}.yaml`, `forms/${code}.xlsx`, ...(dictionaryLines.length ? ['dictionary.yaml'] : [])];
    if (!errors.length) errors.push(...(await this.staged(bytes, code, yaml, dictionaryLines)));
    return { ok: errors.length === 0, errors, yaml, dictionaryLines, files, nextStart: nextStart(plan) };
  }

  /** Checks, then writes the template, its blank form and the new dictionary fields; audited as `template_save`. */
  async save(viewer: Viewer, bytes: Buffer, fileName: string, choices: DraftChoices): Promise<DraftCheck> {
    const result = await this.check(bytes, fileName, choices);
    if (!result.ok) {
      throw new ValidationFailedError(result.errors.map((e) => ({ path: [e.file, ...(e.at ? [e.at] : [])], code: 'INVALID_TEMPLATE', message: `${e.file}${e.at ? ` 中 ${e.at}` : ''}：${e.reason}` })));
    }
    const dir = this.config.templatesDir;
    const code = choices.code;
    const dictionaryFile = path.join(dir, 'dictionary.yaml');
    const dictionaryBefore = fs.readFileSync(dictionaryFile, 'utf8');
    const written: string[] = [];
    try {
      // wx: a template or blank form saved meanwhile under the same code is never overwritten.
      fs.writeFileSync(path.join(dir, 'forms', `${code}.xlsx`), bytes, { flag: 'wx' });
      written.push(path.join(dir, 'forms', `${code}.xlsx`));
      fs.writeFileSync(path.join(dir, `${code}.yaml`), result.yaml, { flag: 'wx' });
      written.push(path.join(dir, `${code}.yaml`));
      if (result.dictionaryLines.length) {
        const tail = dictionaryBefore.endsWith('\n') ? '' : '\n';
        fs.writeFileSync(dictionaryFile, `${dictionaryBefore}${tail}\n  # ── ${code} ${choices.name}：模板起草时新增 ──\n${result.dictionaryLines.join('\n')}\n`);
      }
      await this.audit.recordAccess(viewer, 'template_save', {
        entity: 'template',
        filter: { code, name: choices.name, department: choices.department, newFields: result.dictionaryLines.length },
        facts: { template: sha256(result.yaml), blankForm: sha256(bytes), files: result.files.join(' ') },
      });
    } catch (e) {
      for (const f of written) fs.rmSync(f, { force: true });
      fs.writeFileSync(dictionaryFile, dictionaryBefore);
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw invalid('code', `表单代码 ${code} 的文件已存在，请换一个代码`);
      throw e;
    }
    return result;
  }

  private definitions(): Promise<Definitions> {
    return loadDefinitions(this.config.templatesDir).catch((e) => {
      if (e instanceof DefinitionError) throw invalid('templates', `templates/ 中现有文件有误，先改正它们：${e.message}`);
      throw e;
    });
  }

  private code(code: string, defs: Definitions): string {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code ?? '')) throw invalid('code', '表单代码须以大写字母开头，只含大写字母、数字和下划线（如 V01）');
    if (defs.templates.some((t) => t.code === code) || fs.existsSync(path.join(this.config.templatesDir, `${code}.yaml`))) throw invalid('code', `表单代码 ${code} 已有模板，请换一个代码`);
    return code;
  }

  private async drafted(defs: Definitions, bytes: Buffer, code: string): Promise<TemplateDraft> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-draft-'));
    try {
      fs.writeFileSync(path.join(tmp, 'blank.xlsx'), bytes);
      const blank = await readBlankForm(path.join(tmp, 'blank.xlsx')).catch((e) => {
        throw e instanceof BlankFormError ? invalid('file', `表样无法读取：${e.message}`) : e;
      });
      return draftTemplate({
        blank, code, dictionary: defs.dictionary, templates: defs.templates.map((t) => t.def),
        keyGroups: defs.visits.groups.map((g) => ({ form: g.form, name: g.name })),
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** The draft with the administrator's choices applied; problems with the choices themselves go to `errors`. */
  private plan(draft: TemplateDraft, fileName: string, choices: DraftChoices, errors: DraftCheck['errors']): TemplatePlan {
    const plan = planFromDraft(draft, { from: fileName });
    const fail = (at: string, reason: string) => errors.push({ file: `${draft.code}.yaml`, at, reason });
    plan.query = choices.query;
    plan.name = choices.name;
    plan.department = choices.department?.trim() || null;
    if (!plan.department) fail('department', '请填写部门（部门账号只看到 department 中写有本部门的表）');
    if (plan.kind === 'rows') {
      plan.where = yamlList(choices.where, 'rows.where', fail, '请填写行条件：哪些记录进表（全部进表写 []）');
      if (choices.orderBy?.trim()) plan.orderBy = yamlList(choices.orderBy, 'rows.orderBy', fail);
    }
    const newFields: NewField[] = [];
    for (const choice of choices.columns ?? []) {
      const i = plan.columns.findIndex((_, n) => n + 1 === choice.index);
      if (i < 0) {
        fail('columns', `表样没有第 ${choice.index} 列`);
        continue;
      }
      const column = draft.columns[i];
      if (choice.newField) {
        const { key, label, type } = choice.newField;
        if (!FIELD_TYPES.includes(type as FieldType) || ['code', 'staffRef', 'residentRef', 'idNumber', 'creditCode'].includes(type)) {
          fail(`columns[${i}]`, `新字段的类型 "${type}" 不可用：text、phone、boolean、integer、decimal、date、month`);
          continue;
        }
        const proposed = draft.newFields.find((n) => n.index === choice.index) ?? proposeNewField({ ...column }, draft.layout.entity, { byKey: new Map() } as never, []);
        const field: NewField = { ...proposed, key, label, type: type as FieldType };
        if (type !== 'text') delete field.maxLength;
        else field.maxLength ??= 100;
        if (type !== 'decimal') delete field.scale;
        if (type === 'decimal') Object.assign(field, { scale: field.scale ?? 2, min: field.min ?? 0 });
        if (type !== 'decimal' && type !== 'integer') delete field.min;
        newFields.push(field);
        plan.columns[i] = { key, entry: newFieldEntry(field), comment: `${[...column.groups, column.header].join(' › ')} · 新字段（见文件开头），由管理员命名` };
      } else {
        plan.columns[i] = { ...plan.columns[i], entry: choice.source ?? null, comment: `${[...column.groups, column.header].join(' › ')} · 管理员选定` };
        if (choice.source?.field && typeof choice.source.field === 'string' && !choice.source.related) plan.columns[i].key = keyFor(choice.source, plan.columns[i].key);
      }
    }
    // Proposed new fields nobody replaced stay proposed; a column given another source drops its proposal.
    const chosen = new Set((choices.columns ?? []).map((c) => c.index));
    plan.newFields = [...draft.newFields.filter((n) => !chosen.has(n.index)), ...newFields].sort((a, b) => a.index - b.index);
    const keys = new Set<string>();
    plan.columns.forEach((c) => {
      let k = c.key;
      for (let n = 2; keys.has(k); n++) k = `${c.key}${n}`;
      keys.add(k);
      c.key = k;
    });
    return plan;
  }

  /** Loads a copy of TEMPLATES_DIR with the new files in it: what the next start would say. */
  private async staged(bytes: Buffer, code: string, yaml: string, dictionaryLines: string[]): Promise<DraftCheck['errors']> {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-templates-'));
    try {
      fs.cpSync(this.config.templatesDir, stage, { recursive: true });
      fs.mkdirSync(path.join(stage, 'forms'), { recursive: true });
      fs.writeFileSync(path.join(stage, 'forms', `${code}.xlsx`), bytes);
      fs.writeFileSync(path.join(stage, `${code}.yaml`), yaml);
      if (dictionaryLines.length) fs.appendFileSync(path.join(stage, 'dictionary.yaml'), `\n${dictionaryLines.join('\n')}\n`);
      await loadDefinitions(stage);
      return [];
    } catch (e) {
      if (!(e instanceof DefinitionError)) throw e;
      return [{ file: path.relative(stage, path.resolve(e.file)) || e.file, at: e.at, reason: e.reason }];
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
  }
}

function keyFor(source: SourceEntry, fallback: string): string {
  return typeof source.field === 'string' && /^[a-z][A-Za-z0-9]*$/.test(source.field) ? source.field : fallback;
}

function yamlList(text: string | undefined, at: string, fail: (at: string, reason: string) => void, missing?: string): unknown[] | null {
  const stripped = (text ?? '').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').trim();
  if (!stripped) {
    if (missing) fail(at, missing);
    return null;
  }
  try {
    const value = parse(stripped);
    if (Array.isArray(value)) return value;
    fail(at, '应为列表，例如 [{ age: { gte: 60 } }]');
  } catch (e) {
    fail(at, `不是有效的 YAML：${(e as Error).message.split('\n')[0]}`);
  }
  return null;
}

function nextStart(p: TemplatePlan): string[] {
  const lines = [
    `运行中的服务不变；下次启动时读取 templates/${p.code}.yaml：表单 ${p.code}「${p.name}」生效——GraphQL 查询 ${p.query}、formView(code: "${p.code}")、导出 /exports/${p.code}，部门账号（${p.department ?? '未填写'}）可以看到它。`,
  ];
  if (p.newFields.length) {
    lines.push(`字典新增 ${p.newFields.length} 个字段（${p.newFields.map((f) => `${f.label} ${f.key}`).join('、')}）：启动时按字典给数据库加列，这些字段出现在一表通（oneForm）中，社区录入后本表即有数据。`);
  }
  lines.push('启动时若发现文件有误，服务不启动并指出文件、位置和原因（保存前已按同样的检查通过）。');
  return lines;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const invalid = (at: string, message: string) => new ValidationFailedError([{ path: [at], code: 'INVALID_TEMPLATE', message }]);
