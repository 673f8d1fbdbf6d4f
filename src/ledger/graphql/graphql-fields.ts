import { Field, type FieldMiddleware, Float, Int } from '@nestjs/graphql';
import { type MaskKind, maskValue } from '../../access/masking.js';
import { maskKindOfType } from '../../access/record-masker.js';
import { seesFullValues } from '../../access/access-policy.js';
import type { GqlContext } from '../../access/reveal-audit.plugin.js';
import type { Dictionary, FieldDef } from '../../dictionary/dictionary.types.js';

/** GraphQL description of a canonical field: its Chinese label, code list and rules. */
export function describe(dict: Dictionary, f: FieldDef): string {
  const parts = [f.label];
  if (f.codeList) {
    const list = dict.codeLists.get(f.codeList)!;
    parts.push(`代码表 ${list.key}（${list.standard}）`);
  }
  if (f.derivedFrom) parts.push('由公民身份号码得出');
  if (f.type === 'date') parts.push('yyyy-mm-dd');
  if (f.type === 'month') parts.push('yyyy-mm');
  if (f.help) parts.push(f.help);
  return parts.join('；');
}

function scalarOf(f: FieldDef) {
  switch (f.type) {
    case 'boolean':
      return Boolean;
    case 'integer':
    case 'staffRef':
      return Int;
    case 'decimal':
      return Float;
    default:
      return String;
  }
}

/**
 * Adds one nullable GraphQL field per canonical field to a code-first class. Inputs are all nullable on purpose:
 * the dictionary's validator reports every missing or bad field at once, in Chinese, instead of GraphQL stopping
 * at the first. References are ids (staff) or ID numbers (residents) on input; outputs resolve them separately.
 */
export function addDictionaryFields(target: Function, dict: Dictionary, fields: FieldDef[], mode: 'input' | 'output'): void {
  for (const f of fields) {
    if (mode === 'output' && (f.type === 'staffRef' || f.type === 'residentRef')) continue;
    if (mode === 'input' && f.readOnly) continue; // changed by their own mutations only (deregisterResident…)
    const description = describe(dict, f) + (mode === 'input' && f.type === 'staffRef' ? '；填工作人员编号' : '') + (mode === 'input' && f.type === 'residentRef' ? '；填其公民身份号码' : '');
    // Stored required fields are always there on output; every input field is optional (see above).
    const kind = mode === 'output' ? maskKindOfType(f.type) : null;
    const middleware = kind ? [masked(kind, f.key)] : undefined;
    Field(() => scalarOf(f), { nullable: mode === 'input' || !f.required, description, middleware })(target.prototype, f.key);
  }
}

/**
 * ID and phone numbers on output: masked for a viewer not entitled to them; otherwise returned whole and counted,
 * so the request's reveals are audited once it is answered (revealAuditPlugin).
 */
export function masked(kind: MaskKind, key: string): FieldMiddleware {
  return async (ctx, next) => {
    const value = await next();
    if (value === null || value === undefined || value === '') return value;
    const context = ctx.context as GqlContext;
    if (!seesFullValues(context.viewer)) return maskValue(kind, value);
    context.reveals.set(key, (context.reveals.get(key) ?? 0) + 1);
    return value;
  };
}
