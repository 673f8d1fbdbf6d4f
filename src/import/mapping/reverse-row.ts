import type { Dictionary, FieldDef } from '../../dictionary/dictionary.types.js';
import { describeCondition } from '../../dictionary/field-validator.js';
import { ageOn, normalizeCreditCode, type ParsedIdNumber, parseIdNumber, parsePhone } from '../../identity/index.js';
import type { Format, TemplateDef } from '../../templates/template.types.js';
import type { RawCell, SourceRow } from '../reader/reader.types.js';
import { foldText, foldWidth, isBlank, type Parsed, parseDate, parseDateParts, parseMonth, parseNumber, parseYesNo } from './cell-parsers.js';
import { resolveCode } from './code-lookup.js';
import { importPlan, type Step } from './import-plan.js';

export interface MappingProblem {
  /** 1-based sheet column (0 when the problem is the row's). */
  column: number;
  /** Template column key. */
  key: string;
  /** Dictionary field the column feeds, when it feeds one: validateRecord reports by field. */
  field?: string;
  code: string;
  /** Chinese, naming the column's header. */
  message: string;
}

/** What only the database can resolve: org units and related records named by name. */
export interface RowLookups {
  gridName?: string;
  communityName?: string;
  /** Per relation, the related record's fields as given: liaisonStaff {staffName, staffPhone}, resident {name},
   *  staff {staffName}, operator {name, phone}. */
  related: Record<string, Record<string, unknown>>;
}

export interface ReversedRow {
  /** Canonical values of the form's own fields (codes, booleans, yyyy-mm-dd, numbers); a blank cell gives no key. */
  values: Record<string, unknown>;
  lookups: RowLookups;
  /** Derived columns that disagree with the ID number: for the user to see, never stored. */
  checks: MappingProblem[];
  /** Cells that could not be read or converted (their fields are left out of `values`), and the reader's problems. */
  errors: MappingProblem[];
}

/**
 * One ledger row back to canonical values: the inverse of formatRow. Pure. Text-typed fields (ID numbers, phones,
 * credit codes, names) are normalised when they parse and otherwise passed on as typed, so that validateRecord gives
 * its precise reason; conversions that must change the type (是/否, numbers, dates, code names) fail here.
 */
export function reverseRow(def: TemplateDef, dict: Dictionary, row: SourceRow, ctx: { referenceDate: string }): ReversedRow {
  const plan = importPlan(def, dict);
  if (!plan.importable) throw new Error(`表单 ${def.code} 是汇总表，不能导入`);
  const out: ReversedRow = { values: {}, lookups: { related: {} }, checks: [], errors: [] };
  const troubled = row.problems.length ? readProblems(row, out) : null;
  let id: ParsedIdNumber | null = null;
  let checksToDo = false;
  for (const step of plan.steps) {
    const cell = row.cells[step.column.key];
    if (isBlank(cell) || troubled?.has(step.column.key)) continue;
    switch (step.kind) {
      case 'value': {
        if (step.field.key === 'idNumber') {
          // Parsed once here: the checks of 性别, 出生日期 and 年龄 need it too.
          const text = foldWidth(cell.text);
          const parsed = parseIdNumber(text, '9999-12-31');
          if (parsed.ok) id = parsed.value;
          out.values.idNumber = parsed.ok ? parsed.value.idNumber : text;
          break;
        }
        const r = convert(dict, step.field, step.format, cell);
        if (r.ok) out.values[step.field.key] = r.value;
        else fail(out, step, cell, r, step.field.key);
        break;
      }
      case 'reference': {
        const r = convert(dict, step.field, undefined, cell);
        if (r.ok) out.values[step.into] = r.value;
        break;
      }
      case 'lookup': {
        const r = convert(dict, step.field, step.format, cell);
        if (!r.ok) fail(out, step, cell, r);
        else (out.lookups.related[step.relation] ??= {})[step.field.key] = r.value;
        break;
      }
      case 'orgUnit':
        out.lookups[step.level === 'grid' ? 'gridName' : 'communityName'] = foldText(cell.text).replace(/\s+/g, '');
        break;
      case 'ignored':
        break;
      default:
        checksToDo = true; // checks need the ID number and the codes of this row first
    }
  }
  formConditions(def, dict, plan.steps, row, id, out, ctx.referenceDate);
  if (checksToDo) {
    for (const step of plan.steps) {
      const cell = row.cells[step.column.key];
      if (step.kind === 'derived' || step.kind === 'age' || step.kind === 'concat') {
        if (!isBlank(cell) && !troubled?.has(step.column.key)) checkDerived(dict, step, cell, id, out, ctx.referenceDate);
      }
    }
  }
  return out;
}

/**
 * A row the form's own filter would leave out (a 45-year-old on the 60+ list, 已婚 on the 孤寡 list) is a check:
 * imported, it would not show on this form.
 */
function formConditions(def: TemplateDef, dict: Dictionary, steps: Step[], row: SourceRow, id: ParsedIdNumber | null, out: ReversedRow, referenceDate: string): void {
  if (def.rows.kind !== 'rows') return;
  for (const c of def.rows.where) {
    let broken: string | null = null;
    let field: string | undefined;
    if (c.kind === 'age' && id && referenceDate >= id.birthDate) {
      const age = ageOn(id.birthDate, referenceDate);
      if ((c.gte !== undefined && age < c.gte) || (c.lte !== undefined && age > c.lte)) {
        broken = `到 ${referenceDate} 为 ${age} 岁，本表只收${c.gte !== undefined ? ` ${c.gte} 岁及以上` : ''}${c.lte !== undefined ? ` ${c.lte} 岁及以下` : ''}的人`;
        field = 'idNumber';
      }
    } else if (c.kind === 'field' && !out.errors.some((e) => e.field === c.field)) {
      const v = out.values[c.field];
      const shown = steps.some((st) => st.kind === 'value' && st.field.key === c.field);
      const fails = v === undefined ? shown && c.present === true : (c.in && !c.in.includes(String(v))) || (c.equals !== undefined && v !== c.equals) || c.present === false;
      if (fails) {
        broken = `本表只收${describeCondition(dict, c)}的记录`;
        field = c.field;
      }
    }
    if (broken === null) continue;
    const step = steps.find((st) => st.kind === 'value' && st.field.key === field);
    const column = step ? row.cells[step.column.key]?.column ?? 0 : 0;
    out.checks.push({ column, key: step?.column.key ?? '', field, code: 'OUTSIDE_FORM', message: `本行不符合本表的条件：${broken}。导入后不会出现在本表中` });
  }
}

/** The reader's problems of this row, as errors; their cells are not converted. */
function readProblems(row: SourceRow, out: ReversedRow): Set<string> {
  const keyOf = new Map(Object.entries(row.cells).map(([key, c]) => [c.column, key]));
  const troubled = new Set<string>();
  for (const p of row.problems) {
    const key = p.column !== undefined ? keyOf.get(p.column) ?? '' : '';
    troubled.add(key);
    out.errors.push({ column: p.column ?? 0, key, code: p.code, message: p.message });
  }
  return troubled;
}

function fail(out: ReversedRow, step: Step, cell: RawCell, r: { code: string; message: string }, field?: string): void {
  out.errors.push({ column: cell.column, key: step.column.key, field, code: r.code, message: `"${step.column.header.join('／')}"列：${r.message}` });
}

/** A cell to the canonical value of a field. */
function convert(dict: Dictionary, field: FieldDef, format: Format | undefined, cell: RawCell): Parsed<unknown> {
  switch (field.type) {
    case 'text':
      return { ok: true, value: foldText(cell.text) };
    case 'idNumber':
    case 'residentRef': {
      const t = foldWidth(cell.text);
      const id = parseIdNumber(t, '9999-12-31');
      return { ok: true, value: id.ok ? id.value.idNumber : t };
    }
    case 'creditCode':
      return { ok: true, value: normalizeCreditCode(cell.text) };
    case 'phone': {
      const p = parsePhone(cell.text);
      if (p.ok) return { ok: true, value: p.value };
      if (typeof cell.value === 'number' && parsePhone(`0${cell.text}`).ok) {
        return { ok: false, code: 'PHONE_FORMAT', message: `"${cell.text}" 开头的 0 被 Excel 当作数字去掉了，应为 "0${cell.text}"；请把该列设为"文本"格式后重填` };
      }
      return { ok: true, value: foldWidth(cell.text) };
    }
    case 'code':
      return resolveCode(dict.codeLists.get(field.codeList!)!, cell);
    case 'boolean':
      return parseYesNo(cell, format?.kind === 'yesNo' ? format : undefined);
    case 'integer':
    case 'decimal':
      return parseNumber(cell);
    case 'date':
      return parseDate(cell);
    case 'month':
      return parseMonth(cell);
    case 'staffRef':
      return { ok: true, value: foldText(cell.text) };
  }
}

/** 性别, 出生日期, 年龄 and 残疾人证号 against the ID number and this row's codes. */
function checkDerived(dict: Dictionary, step: Step, cell: RawCell, id: ParsedIdNumber | null, out: ReversedRow, referenceDate: string): void {
  const header = step.column.header.join('／');
  const check = (code: string, message: string): void => void out.checks.push({ column: cell.column, key: step.column.key, code, message: `"${header}"列：${message}` });
  if (step.kind === 'concat') {
    const expected = step.parts.map((p) => out.values[p.key]);
    const known = expected.findIndex((v) => typeof v !== 'string');
    const prefix = (known < 0 ? expected : expected.slice(0, known)).join('');
    const given = foldWidth(cell.text).replace(/\s+/g, '').toUpperCase();
    const whole = known < 0;
    if (prefix && (whole ? given !== prefix : !given.startsWith(prefix))) {
      const what = step.parts.map((p) => p.label).join(' + ');
      check('CONCAT_MISMATCH', `"${cell.text}" 与${what}不一致${whole ? `，应为 ${prefix}` : ''}（本列由这些列得出，不单独保存）`);
    }
    return;
  }
  if (!id) return;
  if (step.kind === 'age') {
    const n = parseNumber(cell);
    if (!n.ok) return check('INVALID_TYPE', n.message);
    if (referenceDate < id.birthDate) return;
    const age = ageOn(id.birthDate, referenceDate);
    if (n.value !== age) check('AGE_MISMATCH', `${cell.text} 与公民身份号码不符：出生于 ${id.birthDate}，到 ${referenceDate} 应为 ${age} 岁（年龄由号码得出，不单独保存）`);
    return;
  }
  if (step.kind !== 'derived' || (step.field.key !== 'gender' && step.field.type !== 'date')) return;
  if (step.field.key === 'gender') {
    const list = dict.codeLists.get(step.field.codeList!)!;
    const r = resolveCode(list, cell);
    if (!r.ok) return check(r.code, r.message);
    if (r.value !== id.gender) check('CONTRADICTS_ID_NUMBER', `"${cell.text}" 与公民身份号码不符，号码表明为"${list.byCode.get(id.gender)?.name}"（性别由号码得出，不单独保存）`);
    return;
  }
  const p = parseDateParts(cell);
  if (!p.ok) return check(p.code, p.message);
  const [y, m, d] = id.birthDate.split('-').map(Number);
  if (p.value.year !== y || p.value.month !== m || (p.value.day !== undefined && p.value.day !== d)) {
    check('CONTRADICTS_ID_NUMBER', `"${cell.text}" 与公民身份号码不符，号码表明出生于 ${id.birthDate}（出生日期由号码得出，不单独保存）`);
  }
}
