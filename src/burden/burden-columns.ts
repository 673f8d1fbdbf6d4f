import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { ColumnSource, TemplateDef } from '../templates/template.types.js';

/**
 * What each column of a department form draws on: the stored facts (dictionary fields) behind its cells and how a row
 * reaches the record holding each. Pure: the burden report matches typed facts against these, and compares forms.
 */

/** How a form's row reaches the record holding a fact: its own record (a visit, a business), its resident, that
 * resident's household, the resident's visits (最近走访日期), or a member of staff (包联干部, 走访人). */
export type Link = 'row' | 'resident' | 'household' | 'latestVisit' | 'staff';

export interface Draw {
  field: string;
  link: Link;
}

/** A form with the draws of each of its columns (in column order). */
export interface FormDraws {
  def: TemplateDef;
  columns: Draw[][];
}

/** The departments a form names (`派出所、区民政局` is two). */
export function departmentsOf(department: string): string[] {
  return department.split(/[、,，/]/).map((d) => d.trim()).filter(Boolean);
}

/** The stored fact a field shows: 出生日期 and 性别 are facts of the ID number. */
function storedField(dict: Dictionary, key: string): string {
  return dict.byKey.get(key)?.derivedFrom ?? key;
}

/** A field seen from a form's row: the row's own record, its resident, its household, or staff. */
function fieldDraw(dict: Dictionary, key: string): Draw {
  const field = storedField(dict, key);
  const entity = dict.byKey.get(field)?.entity;
  const link: Link = entity === 'resident' ? 'resident' : entity === 'household' ? 'household' : entity === 'staff' ? 'staff' : 'row';
  return { field, link };
}

function sourceDraws(dict: Dictionary, s: ColumnSource): Draw[] {
  switch (s.kind) {
    case 'field': {
      const target = fieldDraw(dict, s.field);
      if (!s.related) return [target];
      // A related record's field (包联干部的姓名, 经营者的电话) draws on the link itself when the link is a fact of
      // the row's record (liaisonStaff, operator), and on the related record's field.
      const link = dict.byKey.get(s.related);
      return link ? [fieldDraw(dict, s.related), target] : [target];
    }
    case 'age':
      return [{ field: 'idNumber', link: 'resident' }];
    case 'band':
      return s.of.kind === 'age' ? [{ field: 'idNumber', link: 'resident' }] : [fieldDraw(dict, s.of.field)];
    case 'concat':
      return s.parts.map((p) => fieldDraw(dict, p.field));
    case 'latestVisit':
      return [{ field: storedField(dict, s.field), link: 'latestVisit' }];
    default:
      // Row numbers, constants, org unit names, counts and key groups: nothing anybody types into that cell.
      return [];
  }
}

export function formDraws(dict: Dictionary, def: TemplateDef): FormDraws {
  return {
    def,
    columns: def.columns.map((c) => {
      const draws = sourceDraws(dict, c.source);
      return draws.filter((d, i) => draws.findIndex((o) => o.field === d.field && o.link === d.link) === i);
    }),
  };
}

/** The distinct fields a column asks for. */
export function columnFields(draws: Draw[]): string[] {
  return [...new Set(draws.map((d) => d.field))];
}

/** Fields asked for by each form, by code. */
function fieldsByForm(forms: FormDraws[]): Map<string, Set<string>> {
  return new Map(forms.map((f) => [f.def.code, new Set(f.columns.flatMap(columnFields))]));
}

/** Columns of each form that ask for a fact some other form asks for too. */
export function sharedColumns(forms: FormDraws[]): Map<string, number> {
  const byForm = fieldsByForm(forms);
  return new Map(forms.map((f) => {
    const others = new Set(forms.filter((o) => o.def.code !== f.def.code).flatMap((o) => [...byForm.get(o.def.code)!]));
    return [f.def.code, f.columns.filter((c) => columnFields(c).some((x) => others.has(x))).length];
  }));
}

/** For each field: the forms and the columns that ask for it. */
export function fieldUse(forms: FormDraws[]): Map<string, { forms: string[]; columns: number }> {
  const use = new Map<string, { forms: string[]; columns: number }>();
  for (const f of forms) {
    for (const c of f.columns) {
      for (const field of columnFields(c)) {
        const u = use.get(field) ?? { forms: [], columns: 0 };
        u.columns++;
        if (!u.forms.includes(f.def.code)) u.forms.push(f.def.code);
        use.set(field, u);
      }
    }
  }
  return use;
}

export interface Overlap {
  departmentA: string;
  departmentB: string;
  /** Fields both departments' forms ask for. */
  fields: string[];
  /** Columns of A's forms (then B's) asking for one of those fields. */
  columnsA: number;
  columnsB: number;
}

/** For each pair of departments (in the forms' order): the facts both ask for, and how many columns ask for them. */
export function overlap(forms: FormDraws[]): Overlap[] {
  const departments = [...new Set(forms.flatMap((f) => departmentsOf(f.def.department)))];
  const formsOf = (d: string) => forms.filter((f) => departmentsOf(f.def.department).includes(d));
  const fieldsOf = (d: string) => new Set(formsOf(d).flatMap((f) => f.columns.flatMap(columnFields)));
  const columnsOn = (d: string, shared: Set<string>) => formsOf(d).reduce((n, f) => n + f.columns.filter((c) => columnFields(c).some((x) => shared.has(x))).length, 0);
  const pairs: Overlap[] = [];
  for (let i = 0; i < departments.length; i++) {
    for (let j = i + 1; j < departments.length; j++) {
      const [a, b] = [departments[i], departments[j]];
      const inB = fieldsOf(b);
      const shared = new Set([...fieldsOf(a)].filter((x) => inB.has(x)));
      pairs.push({ departmentA: a, departmentB: b, fields: [...shared], columnsA: columnsOn(a, shared), columnsB: columnsOn(b, shared) });
    }
  }
  return pairs;
}
