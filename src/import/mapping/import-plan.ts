import type { Dictionary, FieldDef } from '../../dictionary/dictionary.types.js';
import type { Format, TemplateColumn, TemplateDef } from '../../templates/template.types.js';

/**
 * What an import does with each column of a form, decided once per template:
 * - value: the form's own field → `values` (canonical, for validateRecord);
 * - reference: an ID number naming another record (F08 经营者公民身份号码 → the business's `operator`) → `values`;
 * - lookup: a related record's field (包联干部姓名/电话, 走访对象, 走访人, 经营者姓名) → `lookups.related`, for the
 *   database to resolve;
 * - orgUnit: 所属网格 / 社区 by name → `lookups`;
 * - derived / age / concat: facts of the ID number (性别, 出生日期, 年龄, 残疾人证号) → `checks` only, never stored;
 * - ignored: numbers the system computes itself (序号, 最近走访日期, 人群类别, counts, constants, bands).
 */
export type Step =
  | { kind: 'value'; column: TemplateColumn; field: FieldDef; format?: Format }
  | { kind: 'reference'; column: TemplateColumn; field: FieldDef; into: string }
  | { kind: 'lookup'; column: TemplateColumn; field: FieldDef; relation: string; format?: Format }
  | { kind: 'orgUnit'; column: TemplateColumn; level: 'grid' | 'community' }
  | { kind: 'derived'; column: TemplateColumn; field: FieldDef }
  | { kind: 'age'; column: TemplateColumn }
  | { kind: 'concat'; column: TemplateColumn; parts: FieldDef[] }
  | { kind: 'ignored'; column: TemplateColumn; why: string };

export interface ImportPlan {
  /** Summary forms (F09) are counts, not records: nothing to import. */
  importable: boolean;
  steps: Step[];
  /** Columns the sheet may lack without losing data (for readLedgerFile's `optionalKeys`). */
  optionalKeys: string[];
  /** Columns of long identifiers, whose numeric cells have lost digits (for readLedgerFile's `identifierKeys`). */
  identifierKeys: string[];
  /**
   * Facts every row of the form has by its row filter, though no column shows them: a person on F01 lives alone
   * (livingArrangement 1), on F03 is prone to wandering, on F07 is floating population. Without them a resident
   * created from the ledger would not appear on the very form it came from; whether to apply them (new records
   * only, or only where empty) is the caller's decision.
   */
  implied: Record<string, unknown>;
}

const IDENTIFIER_TYPES = new Set(['idNumber', 'residentRef', 'creditCode']);
const plans = new WeakMap<TemplateDef, ImportPlan>();

export function importPlan(def: TemplateDef, dict: Dictionary): ImportPlan {
  let plan = plans.get(def);
  if (!plan) {
    const steps = def.columns.map((c) => stepOf(c, dict));
    plan = {
      importable: def.rows.kind === 'rows',
      steps,
      optionalKeys: steps.filter((s) => ['derived', 'age', 'concat', 'ignored'].includes(s.kind)).map((s) => s.column.key),
      identifierKeys: steps
        .filter((s) => s.kind === 'concat' || ('field' in s && IDENTIFIER_TYPES.has(s.field.type)))
        .map((s) => s.column.key),
      implied: impliedBy(def),
    };
    plans.set(def, plan);
  }
  return plan;
}

/** The options readLedgerFile needs for this form. */
export function readOptionsFor(def: TemplateDef, dict: Dictionary): { optionalKeys: string[]; identifierKeys: string[] } {
  const { optionalKeys, identifierKeys } = importPlan(def, dict);
  return { optionalKeys, identifierKeys };
}

function impliedBy(def: TemplateDef): Record<string, unknown> {
  const implied: Record<string, unknown> = {};
  if (def.rows.kind !== 'rows') return implied;
  for (const c of def.rows.where) {
    if (c.kind !== 'field') continue;
    if (c.equals !== undefined) implied[c.field] = c.equals;
    else if (c.in?.length === 1) implied[c.field] = c.in[0];
  }
  return implied;
}

function stepOf(column: TemplateColumn, dict: Dictionary): Step {
  const s = column.source;
  switch (s.kind) {
    case 'field': {
      const field = dict.byKey.get(s.field)!;
      if (s.related) {
        const relation = dict.byKey.get(s.related);
        // The operator of a business is a resident named by ID number: that number is the business's own field.
        if (relation?.type === 'residentRef' && field.type === 'idNumber') return { kind: 'reference', column, field, into: relation.key };
        return { kind: 'lookup', column, field, relation: s.related, format: s.format };
      }
      if (field.derivedFrom) return { kind: 'derived', column, field };
      if (field.type === 'staffRef') return { kind: 'lookup', column, field: dict.byKey.get('staffName')!, relation: field.key };
      return { kind: 'value', column, field, format: s.format };
    }
    case 'orgUnit':
      return { kind: 'orgUnit', column, level: s.level };
    case 'age':
      return { kind: 'age', column };
    case 'concat':
      return { kind: 'concat', column, parts: s.parts.map((p) => dict.byKey.get(p.field)!) };
    case 'rowNumber':
      return { kind: 'ignored', column, why: '序号由系统按排序重新编排' };
    case 'latestVisit':
      return { kind: 'ignored', column, why: '取自走访记录：导入不会凭一个日期新建走访记录（走访方式、处置情况无从得知）' };
    case 'keyGroups':
      return { kind: 'ignored', column, why: '人群类别由居民信息推算（独居、孤寡、易走失），不单独保存' };
    case 'constant':
      return { kind: 'ignored', column, why: '固定内容' };
    case 'householdSize':
      return { kind: 'ignored', column, why: '家庭人口由同户在册居民数得出，不单独保存' };
    case 'band':
    case 'count':
    case 'countForm':
      return { kind: 'ignored', column, why: '由其他数据计算得出' };
  }
}
