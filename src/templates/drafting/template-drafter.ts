import type { Dictionary, FieldDef } from '../../dictionary/dictionary.types.js';
import type { BlankForm } from '../blank-form.reader.js';
import { OWN, RELATIONS } from '../template.parser.js';
import type { Condition, TemplateDef, ViewEntity } from '../template.types.js';
import type { Alternative, DraftColumn, DraftLayout, SourceEntry, TemplateDraft } from './draft.types.js';
import {
  BUILT_INS, KEY_GROUP_WORDS, NAMING_FIELD, NO_WORDS, REMARK_WORDS, RELATION_WORDS, SUMMARY_COUNTS, YES_WORDS,
} from './draft-vocabulary.js';
import { formMatch, normalize, similarity } from './header-match.js';
import { proposeNewField } from './new-field.js';

/** Below this the drafter does not propose a source: a person decides, or a new field is proposed. */
export const THRESHOLD = 0.6;
/** A leaf under a group that qualifies it (紧急联系人 › 姓名) matches a field without that group only this much. */
const UNQUALIFIED = 0.7;
/** A related record's field found by its own label alone (a business form's 联系电话 → the operator's phone). */
const RELATED_ALONE = 0.85;

export interface DraftInput {
  blank: BlankForm;
  code: string;
  dictionary: Dictionary;
  /** The templates already there: summaries count their rows, visit forms name their key groups. */
  templates: TemplateDef[];
  /** visits.yaml's key groups (a visit form's 人群类别). */
  keyGroups: { form: string; name: string }[];
}

interface Candidate {
  source: SourceEntry;
  /** Wordings that name it outright. */
  texts: string[];
  /** Wordings that name it only weakly (a related field by its own label). */
  weak?: string[];
}

interface Column {
  index: number;
  leaf: string;
  groups: string[];
}

type Scored = Alternative;

/** Proposes a template for a blank form: a source for each column, with confidence and runner-up, and new fields. */
export function draftTemplate(input: DraftInput): TemplateDraft {
  const { blank, dictionary } = input;
  const columns: Column[] = blank.headers.map((h, i) => ({ index: i + 1, leaf: h[h.length - 1], groups: h.slice(0, -1) }));
  const layout = describeLayout(input, columns);
  const drafted = columns.map((c) => {
    const ranked = layout.kind === 'summary' ? rankSummary(c, columns, layout, input) : rankDetail(c, layout.entity, input);
    const best = ranked[0] && ranked[0].confidence >= THRESHOLD ? ranked[0] : null;
    const column: DraftColumn = {
      index: c.index,
      header: c.leaf,
      groups: c.groups,
      source: best?.source ?? null,
      confidence: best?.confidence ?? 0,
      alternatives: (best ? ranked.slice(1) : ranked).slice(0, 3),
      key: '',
    };
    const last = (best?.source.where as { any?: { field: string }[] }[] | undefined)?.at(-1);
    if (last?.any) column.note = `"${c.leaf}"计入"${dictionary.byKey.get(last.any[0].field)?.label}"为否和未填写的人，请按部门口径核对`;
    return column;
  });
  const newFields = layout.kind === 'rows'
    ? drafted.filter((c) => !c.source).map((c) => proposeNewField(c, layout.entity, dictionary, drafted))
    : [];
  for (const c of drafted) if (!c.source && layout.kind === 'summary') c.note = '汇总表的这一列须由人决定计数条件';
  assignKeys(drafted, newFields);
  return { code: input.code, layout, columns: drafted, newFields };
}

function describeLayout(input: DraftInput, columns: Column[]): DraftLayout {
  const { blank } = input;
  const title = normalize(blank.title);
  const name = blank.title.replace(/_+(街道|社区)/g, '').replace(/[（(][^）)]*_+[^）)]*[）)]/g, '').trim();
  const leading = columns.slice(0, 3).map((c) => normalize(c.leaf));
  const gridRows = /各网格/.test(title) || (!/各社区/.test(title) && leading.some((l) => ['网格', '网格名称'].includes(l)));
  const summary = /各(社区|网格)/.test(title) || (/统计|汇总/.test(title) && leading.some((l) => ['社区', '网格', '社区名称', '网格名称'].includes(l)));
  const texts = [blank.title, ...(blank.subtitles ?? []).map((x) => x.text), ...(blank.notes ?? []).map((x) => x.text)].join(' ');
  const frequency = /季度/.test(texts) ? 'quarter' : /年度|每年/.test(texts) && !/月/.test(title) ? 'year' : 'month';
  const age = /(\d+)\s*(周)?岁(及)?以上/.exec(blank.title);
  const layout: DraftLayout = {
    file: blank.file,
    sheetName: blank.sheetName,
    title: blank.title,
    name: name || blank.title,
    headerRows: blank.headerRows,
    kind: summary ? 'summary' : 'rows',
    entity: summary ? 'resident' : guessEntity(columns, input),
    frequency,
    ...(age ? { ageFrom: Number(age[1]) } : {}),
  };
  if (summary) {
    layout.groupBy = gridRows ? 'grid' : 'community';
    const base = bestForm(blank.title, input.templates);
    if (base && base.confidence >= 0.85) layout.countsForm = base.code;
  }
  return layout;
}

/** Detail forms list residents, visits or businesses: whichever entity's own fields the headers name most. */
function guessEntity(columns: Column[], input: DraftInput): ViewEntity {
  const score = (entity: ViewEntity) => {
    const fields = input.dictionary.fields.filter((f) => f.entity === entity);
    return columns.filter((c) => fields.some((f) => fieldTexts(f).some((t) => similarity(c.leaf, t) >= 0.9))).length;
  };
  const counts = (['resident', 'visit', 'business'] as const).map((e) => [e, score(e)] as const);
  return counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

const fieldTexts = (f: FieldDef) => [f.label, ...(f.aliases ?? [])];

/** How a detail column shows a field: code names, 是/否, a date or a year-month as the header asks. */
function formatFor(f: FieldDef, header: string): Record<string, unknown> {
  if (f.type === 'code') return { format: 'codeName' };
  if (f.type === 'boolean') return { format: { yesNo: ['是', '否'] } };
  if (f.type === 'month') return { format: 'yyyy.mm' };
  if (f.type === 'date') return { format: /年月(?!日)/.test(header) ? 'yyyy.mm' : 'yyyy-mm-dd' };
  if (f.type === 'decimal' && f.scale) return { format: `0.${'0'.repeat(f.scale)}` };
  return {};
}

function detailCandidates(entity: ViewEntity, header: string, input: DraftInput): Candidate[] {
  const { dictionary } = input;
  const usable = (f: FieldDef) => f.type !== 'staffRef' && f.type !== 'residentRef';
  const list: Candidate[] = BUILT_INS.filter((b) => b.entities.includes(entity)).map((b) => ({ source: b.source, texts: b.words }));
  if (entity === 'visit' && input.keyGroups.length) {
    list.push({ source: { keyGroups: Object.fromEntries(input.keyGroups.map((g) => [g.form, g.name])), joinWith: '、' }, texts: KEY_GROUP_WORDS });
  }
  for (const f of dictionary.fields.filter((x) => OWN[entity].includes(x.entity) && usable(x))) {
    list.push({ source: { field: f.key, ...formatFor(f, header) }, texts: fieldTexts(f) });
  }
  for (const [relation, entities] of Object.entries(RELATIONS[entity])) {
    const words = RELATION_WORDS[`${entity}.${relation}`] ?? fieldTexts(dictionary.byKey.get(relation)!);
    for (const f of dictionary.fields.filter((x) => entities.includes(x.entity) && usable(x))) {
      const naming = NAMING_FIELD[f.entity] === f.key;
      list.push({
        source: { related: relation, field: f.key, ...formatFor(f, header) },
        texts: [...words.flatMap((w) => fieldTexts(f).map((t) => w + t)), ...(naming ? words : [])],
        weak: fieldTexts(f),
      });
    }
  }
  return list;
}

/** Whether a group header qualifies its leaves (紧急联系人, 监护人, 房东): some wording starts with it and goes on. */
function qualifies(group: string, candidates: Candidate[]): boolean {
  const g = normalize(group);
  return candidates.some((c) => c.texts.some((t) => normalize(t).startsWith(g) && normalize(t).length > g.length));
}

function rankDetail(c: Column, entity: ViewEntity, input: DraftInput): Scored[] {
  const candidates = detailCandidates(entity, c.leaf, input);
  const last = c.groups[c.groups.length - 1];
  const qualified = last !== undefined && qualifies(last, candidates);
  // 是否签约家庭医生 asks a yes/no question: a yes/no field, whose label says it without 是否 (已签约家庭医生).
  const question = /^(是否|有无)/.test(c.leaf);
  const asked = c.leaf.replace(/^(是否|有无)/, '');
  const scored = candidates.map((cand) => {
    let best = 0;
    const field = typeof cand.source.field === 'string' ? input.dictionary.byKey.get(cand.source.field) : undefined;
    if (question) for (const t of cand.texts) best = Math.max(best, similarity(asked, t) * (field?.type === 'boolean' ? 1 : 0.8));
    for (const t of cand.texts) {
      const startsWithGroup = last !== undefined && normalize(t).startsWith(normalize(last));
      best = Math.max(best, similarity(c.leaf, t) * (qualified && !startsWithGroup ? UNQUALIFIED : 1));
      if (last) best = Math.max(best, similarity(last + c.leaf, t), similarity(c.groups.join('') + c.leaf, t));
    }
    for (const t of cand.weak ?? []) best = Math.max(best, similarity(c.leaf, t) * (qualified ? UNQUALIFIED : RELATED_ALONE));
    // 备注 is filled when there is something to say: not a gap on the work list.
    const source = cand.source.field && REMARK_WORDS.includes(normalize(c.leaf)) ? { ...cand.source, optional: true } : cand.source;
    return { source, confidence: round(best) };
  });
  return ranked(scored);
}

const round = (x: number) => Math.round(x * 100) / 100;
const ranked = (list: Scored[]) => list.filter((s) => s.confidence > 0.3).sort((a, b) => b.confidence - a.confidence);

function bestForm(header: string, templates: TemplateDef[]): { code: string; confidence: number } | null {
  const scored = templates.filter((t) => t.rows.kind === 'rows').map((t) => ({ code: t.code, confidence: formMatch(header, t.name) }));
  return scored.sort((a, b) => b.confidence - a.confidence)[0] ?? null;
}

function rankSummary(c: Column, all: Column[], layout: DraftLayout, input: DraftInput): Scored[] {
  const leaf = normalize(c.leaf);
  const scored: Scored[] = [];
  const add = (source: SourceEntry, confidence: number) => scored.push({ source, confidence: round(confidence) });
  for (const b of BUILT_INS.filter((x) => x.source.rowNumber || x.source.orgUnit)) add(b.source, Math.max(...b.words.map((w) => similarity(leaf, w))));
  add({ constant: '' }, Math.max(...REMARK_WORDS.map((w) => similarity(leaf, w))));
  for (const s of SUMMARY_COUNTS) add(s.source, Math.max(...s.words.map((w) => similarity(leaf, w))));
  const range = /(\d+)\s*[-－~～至到]\s*(\d+)\s*岁/.exec(leaf);
  const from = /(\d+)\s*(周)?岁(及)?以上/.exec(leaf);
  if (range) add({ count: 'resident', where: [{ age: { gte: Number(range[1]), lte: Number(range[2]) } }] }, 0.95);
  else if (from) add({ count: 'resident', where: [{ age: { gte: Number(from[1]) } }] }, 0.95);
  for (const t of input.templates.filter((x) => x.rows.kind === 'rows')) add({ count: { form: t.code } }, formMatch(c.leaf, t.name));
  const grouped = groupedCount(c, all, layout, input);
  if (grouped) add(grouped.source, grouped.confidence);
  return ranked(scored);
}

/**
 * A count under a group that names a code or yes/no field (居住事由 › 务工, 居住证 › 未办理): the counted form's rows
 * with that code, or that answer. 其他 takes the codes no sibling column names.
 */
function groupedCount(c: Column, all: Column[], layout: DraftLayout, input: DraftInput): Scored | null {
  const group = c.groups[c.groups.length - 1];
  if (!group) return null;
  const fields = input.dictionary.fields.filter((f) => OWN.resident.includes(f.entity) && (f.codeList || f.type === 'boolean'));
  const match = fields.map((f) => ({ f, s: Math.max(...fieldTexts(f).map((t) => similarity(group, t))) })).sort((a, b) => b.s - a.s)[0];
  if (!match || match.s < 0.85) return null;
  const { f } = match;
  const leaf = normalize(c.leaf);
  let condition: Record<string, unknown> | null = null;
  let sure = 1;
  if (f.type === 'boolean') {
    if (YES_WORDS.test(leaf)) condition = { field: f.key, equals: true };
    // 未办理: everyone without a yes, answered 否 or not at all, so that 已办理 + 未办理 = the total.
    else if (NO_WORDS.test(leaf)) (condition = { any: [{ field: f.key, equals: false }, { field: f.key, present: false }] }), (sure = 0.9);
  } else {
    const list = input.dictionary.codeLists.get(f.codeList!)!;
    const item = list.items.find((i) => normalize(i.name) === leaf);
    if (item && leaf !== '其他') condition = { field: f.key, in: [item.code] };
    else if (leaf === '其他') {
      const siblings = all.filter((x) => x !== c && x.groups[x.groups.length - 1] === group).map((x) => normalize(x.leaf));
      const rest = list.items.filter((i) => !siblings.includes(normalize(i.name))).map((i) => i.code);
      if (rest.length) (condition = { field: f.key, in: rest }), (sure = 0.9);
    } else {
      const near = list.items.map((i) => ({ i, s: similarity(leaf, i.name) })).sort((a, b) => b.s - a.s)[0];
      if (near && near.s >= THRESHOLD) (condition = { field: f.key, in: [near.i.code] }), (sure = near.s);
    }
  }
  if (!condition) return null;
  // The counted form's rows (F07: 户籍类型 = 流动人口) that also meet the column's condition.
  const counted = input.templates.find((t) => t.code === layout.countsForm);
  const rowFilter = counted?.rows.kind === 'rows' && counted.rows.entity === 'resident' ? counted.rows.where.map(conditionEntry) : [];
  if (rowFilter.some((x) => x === null)) return null;
  return { source: { count: 'resident', where: [...rowFilter, condition] }, confidence: match.s * sure };
}

/** A parsed row condition as the YAML writes it; null for one a count cannot take (a visit's period, key groups). */
function conditionEntry(c: Condition): Record<string, unknown> | null {
  switch (c.kind) {
    case 'field': {
      const { kind: _k, ...rest } = c;
      return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    }
    case 'age':
      return { age: Object.fromEntries(Object.entries({ gte: c.gte, lte: c.lte }).filter(([, v]) => v !== undefined)) };
    case 'any': {
      const parts = c.of.map(conditionEntry);
      return parts.some((p) => p === null) ? null : { any: parts };
    }
    default:
      return null;
  }
}

/** Column keys: the field's key, or a name for a built-in source; unique within the template. */
function assignKeys(columns: DraftColumn[], newFields: { index: number; key: string }[]): void {
  const used = new Set<string>();
  for (const c of columns) {
    const s = c.source;
    let key = newFields.find((n) => n.index === c.index)?.key ?? `column${c.index}`;
    if (s?.rowNumber) key = 'rowNumber';
    else if (s?.age) key = 'age';
    else if (s?.orgUnit) key = `${s.orgUnit}Name`;
    else if (s?.latest) key = 'latestVisitDate';
    else if (s?.householdSize) key = 'householdSize';
    else if (s?.keyGroups) key = 'keyGroups';
    else if (s && 'constant' in s) key = 'remarks';
    else if (s?.related) key = `${s.related}${cap(String(s.field).replace(/^staff/, ''))}`;
    else if (s?.field) key = String(s.field);
    else if (s?.count === 'grid' || s?.count === 'household' || s?.count === 'resident') key = s.where ? `${s.count}s${c.index}` : `${s.count}s`;
    else if (s?.count) key = `count${(s.count as { form: string }).form}${s.where ? `c${c.index}` : ''}`;
    let unique = key;
    for (let n = 2; used.has(unique); n++) unique = `${key}${n}`;
    used.add(unique);
    c.key = unique;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
