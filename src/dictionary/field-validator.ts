/**
 * The one validator for canonical fields, driven by the dictionary. Pure (no Nest, no database) so the server and
 * the web page share it. Raw values arrive as people type them; valid values leave normalised.
 */
import { isRealDate, parseCreditCode, parseIdNumber, parsePhone } from '../identity/index.js';
import type { FieldError } from '../common/errors/domain-errors.js';
import { type Condition, type Dictionary, type EntityName, type FieldDef, fieldsOf } from './dictionary.types.js';

export type Values = Record<string, unknown>;
export type ValueResult = { ok: true; value: unknown } | { ok: false; code: string; message: string };

const bad = (code: string, message: string): ValueResult => ({ ok: false, code, message });
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Checks and normalises one non-null value of a field. */
export function validateValue(dict: Dictionary, f: FieldDef, raw: unknown, today: string): ValueResult {
  switch (f.type) {
    case 'text': {
      if (typeof raw !== 'string') return bad('INVALID_TYPE', '应为文本');
      const v = raw.trim();
      if (CONTROL.test(v)) return bad('INVALID_CHARACTER', '含有不可见的控制字符');
      const length = Array.from(v).length;
      if (f.maxLength !== undefined && length > f.maxLength) return bad('TOO_LONG', `不能超过 ${f.maxLength} 个字（实为 ${length} 个字）`);
      return { ok: true, value: v === '' ? null : v };
    }
    case 'idNumber': {
      if (typeof raw !== 'string') return bad('INVALID_TYPE', '应为文本');
      const r = parseIdNumber(raw, today);
      return r.ok ? { ok: true, value: r.value.idNumber } : bad(r.code, r.message);
    }
    case 'creditCode': {
      if (typeof raw !== 'string') return bad('INVALID_TYPE', '应为文本');
      if (raw.trim() === '') return { ok: true, value: null };
      const r = parseCreditCode(raw);
      return r.ok ? { ok: true, value: r.value } : bad(r.code, r.message);
    }
    case 'phone': {
      if (typeof raw !== 'string') return bad('INVALID_TYPE', '应为文本');
      if (raw.trim() === '') return { ok: true, value: null };
      const r = parsePhone(raw);
      return r.ok ? { ok: true, value: r.value } : bad(r.code, r.message);
    }
    case 'code': {
      const list = dict.codeLists.get(f.codeList!)!;
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
      if (text === null) return bad('INVALID_TYPE', '应为代码文本');
      if (text === '') return { ok: true, value: null };
      const item = list.byCode.get(text) ?? list.byName.get(text);
      if (item) return { ok: true, value: item.code };
      const sample = list.items.slice(0, 8).map((it) => `${it.code} ${it.name}`).join('、');
      return bad('INVALID_CODE', `"${text}" 不是${list.name}代码表（${list.standard}）中的值，可用：${sample}${list.items.length > 8 ? ' 等' : ''}`);
    }
    case 'boolean':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : bad('INVALID_TYPE', '应为 是/否');
    case 'integer':
    case 'decimal': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return bad('INVALID_TYPE', '应为数字');
      if (f.type === 'integer' && !Number.isInteger(raw)) return bad('NOT_INTEGER', '应为整数');
      const scale = f.scale ?? 0;
      if (f.type === 'decimal' && Math.abs(Math.round(raw * 10 ** scale) - raw * 10 ** scale) > 1e-6) {
        return bad('TOO_MANY_DECIMALS', `最多保留 ${scale} 位小数`);
      }
      if ((f.min !== undefined && raw < f.min) || (f.max !== undefined && raw > f.max)) {
        return bad('OUT_OF_RANGE', `应在 ${f.min ?? '-∞'} 到 ${f.max ?? '∞'} 之间`);
      }
      return { ok: true, value: raw };
    }
    case 'date':
    case 'month': {
      if (typeof raw !== 'string') return bad('INVALID_TYPE', '应为日期文本');
      const v = f.type === 'date' ? normaliseDate(raw) : normaliseMonth(raw);
      if (!v) return bad('INVALID_DATE', f.type === 'date' ? `"${raw}" 不是有效日期（格式 yyyy-mm-dd）` : `"${raw}" 不是有效年月（格式 yyyy-mm）`);
      if (f.notAfterToday && v > today.slice(0, v.length)) return bad('DATE_IN_FUTURE', '不能晚于今天');
      return { ok: true, value: v };
    }
    case 'staffRef':
      return Number.isInteger(raw) && (raw as number) > 0 ? { ok: true, value: raw } : bad('INVALID_TYPE', '应为工作人员编号');
    case 'residentRef': {
      if (typeof raw !== 'string') return bad('INVALID_TYPE', '应为公民身份号码');
      const r = parseIdNumber(raw, today);
      return r.ok ? { ok: true, value: r.value.idNumber } : bad(r.code, r.message);
    }
  }
}

function normaliseDate(raw: string): string | null {
  const m = /^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$/.exec(raw.trim());
  if (!m) return null;
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return isRealDate(iso) ? iso : null;
}

function normaliseMonth(raw: string): string | null {
  const m = /^(\d{4})[-./年](\d{1,2})月?$/.exec(raw.trim());
  if (!m) return null;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? `${m[1]}-${m[2].padStart(2, '0')}` : null;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

export function conditionHolds(c: Condition, record: Values): boolean {
  const v = record[c.field];
  if (c.present !== undefined) return c.present !== isEmpty(v);
  if (c.in) return !isEmpty(v) && c.in.includes(String(v));
  return v === c.equals;
}

export interface RecordValidation {
  /** Normalised values of the fields the input gave (null clears a field). */
  changes: Values;
  /** Values derived from other fields (birth date and sex from the ID number). */
  derived: Values;
  errors: FieldError[];
}

/**
 * Validates an input for the given entities' fields, merged over what is stored (`stored` is null on create).
 * Every problem is reported; fields absent from the input stay as they are (partial update).
 */
export function validateRecord(
  dict: Dictionary,
  entities: EntityName[],
  input: Values,
  stored: Values | null,
  today: string,
  path: (string | number)[] = [],
): RecordValidation {
  const fields = fieldsOf(dict, ...entities);
  const changes: Values = {};
  const errors: FieldError[] = [];
  const fail = (f: FieldDef, code: string, message: string) =>
    errors.push({ path: [...path, f.key], code, message: message.startsWith(f.label) ? message : `${f.label}：${message}` });

  for (const f of fields) {
    const raw = input[f.key];
    if (raw === undefined || f.derivedFrom) continue;
    if (raw === null) {
      changes[f.key] = null;
      continue;
    }
    const r = validateValue(dict, f, raw, today);
    if (r.ok) changes[f.key] = r.value;
    else fail(f, r.code, r.message);
  }

  const merged: Values = { ...(stored ?? {}), ...changes };
  const derived = deriveFromIdNumber(merged.idNumber, today);
  for (const f of fields) {
    const touched = (key?: string) => key !== undefined && key in input;
    if (f.derivedFrom) {
      checkDerived(dict, f, input[f.key], derived, today, fail);
      continue;
    }
    if (errors.some((e) => e.path[path.length] === f.key)) continue;
    const value = merged[f.key];
    const mustHave = (f.required && (stored === null || touched(f.key))) || (f.requiredWhen && conditionHolds(f.requiredWhen, merged) && (touched(f.key) || touched(f.requiredWhen.field) || stored === null));
    if (mustHave && isEmpty(value)) fail(f, 'REQUIRED', f.requiredWhen ? `${labelOf(dict, f.requiredWhen.field)}已填写时必填` : '必填');
    if (f.onlyWhen && !isEmpty(value) && value !== false && !conditionHolds(f.onlyWhen, merged) && (touched(f.key) || touched(f.onlyWhen.field))) {
      fail(f, 'NOT_APPLICABLE', `仅在${describeCondition(dict, f.onlyWhen)}时填写`);
    }
    if (f.notBefore && !isEmpty(value) && !isEmpty(merged[f.notBefore]) && String(value) < String(merged[f.notBefore]) && (touched(f.key) || touched(f.notBefore))) {
      fail(f, 'BEFORE_OTHER_FIELD', `不能早于${labelOf(dict, f.notBefore)}`);
    }
  }
  // Report in the order of the form, not the order the checks ran.
  const order = (e: FieldError) => fields.findIndex((f) => f.key === e.path[path.length]);
  errors.sort((a, b) => order(a) - order(b));
  return { changes, derived, errors };
}

function deriveFromIdNumber(idNumber: unknown, today: string): Values {
  if (typeof idNumber !== 'string') return {};
  const r = parseIdNumber(idNumber, today);
  return r.ok ? { gender: r.value.gender, birthDate: r.value.birthDate } : {};
}

/** Input for a derived field is accepted only when it says what the ID number already says. */
function checkDerived(dict: Dictionary, f: FieldDef, raw: unknown, derived: Values, today: string, fail: (f: FieldDef, code: string, m: string) => void) {
  if (raw === undefined || raw === null || derived[f.key] === undefined) return;
  const r = validateValue(dict, f, raw, today);
  if (!r.ok) return fail(f, r.code, r.message);
  if (r.value !== null && r.value !== derived[f.key]) {
    const shown = f.codeList ? dict.codeLists.get(f.codeList)?.byCode.get(String(derived[f.key]))?.name : derived[f.key];
    fail(f, 'CONTRADICTS_ID_NUMBER', `与公民身份号码不符，号码表明应为"${shown}"；${f.label}由公民身份号码得出，无需填写`);
  }
}

function labelOf(dict: Dictionary, key: string): string {
  return dict.byKey.get(key)?.label ?? key;
}

/** A condition in words, for messages and the form ("残疾类别已填写", "住所类型为租赁房"). */
export function describeCondition(dict: Dictionary, c: Condition): string {
  const f = dict.byKey.get(c.field);
  const label = labelOf(dict, c.field);
  if (c.present !== undefined) return c.present ? `${label}已填写` : `${label}未填写`;
  if (c.in) {
    const list = f?.codeList ? dict.codeLists.get(f.codeList) : undefined;
    return `${label}为${c.in.map((code) => list?.byCode.get(code)?.name ?? code).join('或')}`;
  }
  return `${label}为${c.equals === true ? '是' : c.equals === false ? '否' : String(c.equals)}`;
}
