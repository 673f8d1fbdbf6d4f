import fs from 'node:fs';
import path from 'node:path';
import { DefinitionReader, join } from '../common/definition/definition-reader.js';
import type { Dictionary, FieldDef } from '../dictionary/dictionary.types.js';
import { CROSS_CHECK_NAMES, CROSS_CHECKS, type CrossCheck, type QualityRule, type RuleCondition, SEVERITIES, type Severity } from './quality-rules.js';

type Obj = Record<string, unknown>;
const COMPARISONS = ['gt', 'gte', 'lt', 'lte'] as const;
const FIELD_OPS = ['in', 'equals', 'present', 'before', ...COMPARISONS] as const;

/**
 * Reads `templates/rules.yaml` (no file: no rules) and checks it against the dictionary; a bad file stops the start
 * with file, path and reason, like a bad template.
 */
export function loadQualityRules(templatesDir: string, dictionary: Dictionary): QualityRule[] {
  const file = path.join(templatesDir, 'rules.yaml');
  if (!fs.existsSync(file)) return [];
  const r = new DefinitionReader(file);
  const root = r.object(r.root, '');
  r.onlyKeys(root, '', ['rules']);
  const rules = r.array(root.rules, 'rules').map((raw, i) => readRule(r, raw, `rules[${i}]`, dictionary));
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.id)) r.fail(`rules[${i}].id`, `规则 "${rule.id}" 与 rules[${seen.get(rule.id)}] 重复`);
    seen.set(rule.id, i);
  });
  return rules;
}

function readRule(r: DefinitionReader, raw: unknown, at: string, dict: Dictionary): QualityRule {
  const o = r.object(raw, at);
  r.onlyKeys(o, at, ['id', 'severity', 'message', 'fields', 'when']);
  const id = r.string(o, 'id', at, { pattern: /^[A-Z][A-Z0-9_]*$/ })!;
  const severity = r.string(o, 'severity', at, { oneOf: SEVERITIES }) as Severity;
  const message = r.string(o, 'message', at)!;
  if (!/[\u4e00-\u9fff]/.test(message)) r.fail(join(at, 'message'), '提示语应为中文（工作人员看到的就是这句话）');
  const whenList = r.array(o.when, join(at, 'when'));
  if (!whenList.length) r.fail(join(at, 'when'), '至少要有一个条件');
  const reads: string[] = [];
  const checks: CrossCheck[] = [];
  const read = (key: string) => void (!reads.includes(key) && reads.push(key));
  const when = whenList.map((c, i) => readCondition(r, c, join(join(at, 'when'), i), dict, read, checks));
  let fields: string[];
  if (o.fields === undefined) {
    // Where it points by default: the fields its conditions name (age: the ID number), then its checks' fields.
    fields = reads.filter((k) => k !== 'gridCode');
  } else {
    fields = r.array(o.fields, join(at, 'fields')).map((k, i) => {
      const where = join(join(at, 'fields'), i);
      if (typeof k !== 'string') r.fail(where, '应为字段键');
      residentField(r, dict, k, where);
      return k;
    });
    if (!fields.length) r.fail(join(at, 'fields'), '至少要指向一个字段');
  }
  return { id, code: `RULE_${id}`, severity, message, fields, when, reads, checks };
}

function residentField(r: DefinitionReader, dict: Dictionary, key: string, at: string): FieldDef {
  const f = dict.byKey.get(key);
  if (!f) r.fail(at, `字段 "${key}" 不在字段字典 templates/dictionary.yaml 中`);
  if (f.entity !== 'resident' && f.entity !== 'household') r.fail(at, `字段 "${key}" 属于 ${f.entity}，规则只能检查居民及其户的字段`);
  return f;
}

function readCondition(r: DefinitionReader, raw: unknown, at: string, dict: Dictionary, read: (key: string) => void, checks: CrossCheck[]): RuleCondition {
  const o = r.object(raw, at);
  const kinds = ['field', 'age', 'any', 'check'].filter((k) => o[k] !== undefined);
  if (kinds.length !== 1) r.fail(at, '条件须且只须是 field、age、any、check 之一');
  if (o.check !== undefined) {
    r.onlyKeys(o, at, ['check']);
    const check = r.string(o, 'check', at, { oneOf: CROSS_CHECK_NAMES }) as CrossCheck;
    if (!checks.includes(check)) checks.push(check);
    CROSS_CHECKS[check].reads.forEach(read);
    return { kind: 'check', check };
  }
  if (o.any !== undefined) {
    r.onlyKeys(o, at, ['any']);
    const list = r.array(o.any, join(at, 'any'));
    if (list.length < 2) r.fail(join(at, 'any'), 'any 至少要列出两个条件（其中之一成立即可）');
    return { kind: 'any', of: list.map((c, i) => readCondition(r, c, join(join(at, 'any'), i), dict, read, checks)) };
  }
  if (o.age !== undefined) {
    r.onlyKeys(o, at, ['age']);
    const range = r.object(o.age, join(at, 'age'));
    r.onlyKeys(range, join(at, 'age'), COMPARISONS);
    if (!COMPARISONS.some((k) => range[k] !== undefined)) r.fail(join(at, 'age'), `年龄条件至少要有 ${COMPARISONS.join('、')} 之一`);
    read('idNumber'); // age is a fact of the ID number
    return { kind: 'age', ...comparisons(r, range, join(at, 'age')) };
  }
  r.onlyKeys(o, at, ['field', ...FIELD_OPS]);
  const key = r.string(o, 'field', at)!;
  const f = residentField(r, dict, key, join(at, 'field'));
  read(f.derivedFrom ?? key);
  const ops = FIELD_OPS.filter((k) => o[k] !== undefined);
  const numeric = ops.length > 0 && ops.every((k) => (COMPARISONS as readonly string[]).includes(k));
  if (!numeric && ops.length !== 1) r.fail(at, `字段条件须且只须给出 in、equals、present、before 之一，或 ${COMPARISONS.join('、')} 中的一个或几个`);
  if (o.in !== undefined) {
    if (!f.codeList) r.fail(join(at, 'in'), '"in" 只能用于代码类字段');
    const list = dict.codeLists.get(f.codeList)!;
    const codes = r.array(o.in, join(at, 'in')).map((v) => String(v));
    codes.forEach((code, i) => {
      if (!list.byCode.has(code)) r.fail(join(join(at, 'in'), i), `代码 "${code}" 不在代码表 ${list.key}（${list.name}）中`);
    });
    return { kind: 'field', field: key, in: codes };
  }
  if (o.present !== undefined) return { kind: 'field', field: key, present: r.boolean(o, 'present', at) };
  if (o.equals !== undefined) {
    const v = o.equals;
    const ok = f.type === 'boolean' ? typeof v === 'boolean' : f.type === 'integer' || f.type === 'decimal' ? typeof v === 'number' : typeof v === 'string';
    if (!ok) r.fail(join(at, 'equals'), `与字段 "${key}"（${f.label}）的类型不符`);
    return { kind: 'field', field: key, equals: v as string | number | boolean };
  }
  if (o.before !== undefined) {
    const other = r.string(o, 'before', at)!;
    const g = residentField(r, dict, other, join(at, 'before'));
    if (!['date', 'month'].includes(f.type) || g.type !== f.type) r.fail(join(at, 'before'), `"before" 只能比较两个同为日期或同为年月的字段（${f.label} 与 ${g.label}）`);
    read(other);
    return { kind: 'before', field: key, other };
  }
  if (f.type !== 'integer' && f.type !== 'decimal') r.fail(at, `${COMPARISONS.join('、')} 只能用于数值字段，"${key}"（${f.label}）不是`);
  return { kind: 'field', field: key, ...comparisons(r, o, at) };
}

function comparisons(r: DefinitionReader, o: Obj, at: string): { gt?: number; gte?: number; lt?: number; lte?: number } {
  const out: { gt?: number; gte?: number; lt?: number; lte?: number } = {};
  for (const k of COMPARISONS) {
    const v = r.number(o, k, at);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
