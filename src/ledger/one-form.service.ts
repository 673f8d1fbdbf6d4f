import { Inject, Injectable } from '@nestjs/common';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import { type Dictionary, type FieldDef, fieldsOf } from '../dictionary/dictionary.types.js';
import { describeCondition } from '../dictionary/field-validator.js';
import type { TemplateSummary } from '../templates/template.loader.js';
import { TEMPLATES } from '../templates/templates.module.js';
import type { OneFormFieldType, OneFormType } from './graphql/one-form.type.js';

/**
 * The one form: every resident or household field that some department form shows, filters or sorts on, plus the
 * fields needed to identify and place a resident, each once, in dictionary order, with the forms it feeds. Read-only
 * fields (注销) are not typed in here: they change through their own commands.
 */
@Injectable()
export class OneFormService {
  private readonly form: OneFormType;

  constructor(@Inject(DICTIONARY) dictionary: Dictionary, @Inject(TEMPLATES) templates: TemplateSummary[]) {
    this.form = buildOneForm(dictionary, templates);
  }

  oneForm(): OneFormType {
    return this.form;
  }
}

/** Pure: the one form from the dictionary and the templates. */
export function buildOneForm(dictionary: Dictionary, templates: TemplateSummary[]): OneFormType {
  const refs = (t: TemplateSummary) => ({ code: t.code, name: t.name, department: t.department });
  const usedBy = (f: FieldDef) => templates.filter((t) => t.fields.includes(f.key)).map(refs);
  const fields = fieldsOf(dictionary, 'resident', 'household').filter((f) => !f.readOnly && (f.required || usedBy(f).length > 0));
  const sections = dictionary.sections
    .map((s) => ({ key: s.key, label: s.label, fields: fields.filter((f) => f.section === s.key).map((f) => toField(dictionary, f, usedBy(f))) }))
    .filter((s) => s.fields.length > 0);
  const feeding = templates.filter((t) => t.fields.some((key) => fields.some((f) => f.key === key)));
  return { sections, forms: feeding.map(refs) };
}

function toField(dictionary: Dictionary, f: FieldDef, forms: OneFormFieldType['forms']): OneFormFieldType {
  const list = f.codeList ? dictionary.codeLists.get(f.codeList)! : null;
  return {
    key: f.key,
    label: f.label,
    type: f.type,
    required: f.required,
    derived: Boolean(f.derivedFrom),
    derivedFrom: f.derivedFrom ?? null,
    codeList: f.codeList ?? null,
    options: list ? list.items.map((it) => ({ code: it.code, name: it.name })) : f.type === 'boolean' ? [{ code: 'true', name: '是' }, { code: 'false', name: '否' }] : null,
    maxLength: f.maxLength ?? null,
    min: f.min ?? null,
    max: f.max ?? null,
    help: f.help ?? null,
    sensitivity: f.sensitivity,
    onlyWhen: f.onlyWhen ? describeCondition(dictionary, f.onlyWhen) : null,
    forms,
  };
}
