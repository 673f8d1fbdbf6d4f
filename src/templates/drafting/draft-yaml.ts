import path from 'node:path';
import { stringify } from 'yaml';
import type { DraftColumn, NewField, SourceEntry, TemplateDraft } from './draft.types.js';

/** What the template file will say: the draft with a person's choices (or the drafter's proposals) applied. */
export interface TemplatePlan {
  code: string;
  query: string;
  name: string;
  department: string | null;
  frequency: 'month' | 'quarter' | 'year';
  /** Path of the blank form from templates/ (forms/V01.xlsx). */
  blankForm: string;
  /** The file the draft was made from, for the header comment. */
  from: string;
  kind: 'rows' | 'summary';
  entity: string;
  groupBy?: 'community' | 'grid';
  /** The row filter; null: not decided yet (the file then says 待填写, which templates:check refuses). */
  where: unknown[] | null;
  orderBy: unknown[] | null;
  ageFrom?: number;
  columns: { key: string; entry: SourceEntry | null; comment: string }[];
  newFields: NewField[];
}

/** A YAML flow value ({ a: b }, [x, y]), quoting only what YAML would misread ("1", "0.00", ""). */
export function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(', ')} }`;
  return stringify(v, { lineWidth: 0 }).trim();
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** The column entry a new field gets: shown as the dictionary type suggests. */
export function newFieldEntry(f: Pick<NewField, 'key' | 'type'>): SourceEntry {
  const format = f.type === 'boolean' ? { yesNo: ['是', '否'] } : f.type === 'date' ? 'yyyy-mm-dd' : f.type === 'month' ? 'yyyy.mm' : f.type === 'decimal' ? '0.00' : undefined;
  return { field: f.key, ...(format ? { format } : {}) };
}

function describe(c: DraftColumn, isNew: boolean): string {
  const header = [...c.groups, c.header].join(' › ');
  if (isNew) return `${header} · 新字段（见文件开头），须加入字典`;
  if (!c.source) return `${header} · 待定：没有合适的来源${c.note ? `（${c.note}）` : ''}`;
  const next = c.alternatives[0] ? `；其次 ${flow(c.alternatives[0].source)} ${percent(c.alternatives[0].confidence)}` : '';
  return `${header} · ${percent(c.confidence)}${next}${c.note ? `；待定：${c.note}` : ''}`;
}

/** The plan the drafter proposes, before anyone has chosen anything. */
export function planFromDraft(d: TemplateDraft, o: { blankForm?: string; from?: string } = {}): TemplatePlan {
  const summary = d.layout.kind === 'summary';
  return {
    code: d.code,
    query: `form${d.code}`,
    name: d.layout.name,
    department: null,
    frequency: d.layout.frequency,
    blankForm: o.blankForm ?? `forms/${d.code}.xlsx`,
    from: o.from ?? path.basename(d.layout.file),
    kind: d.layout.kind,
    entity: d.layout.entity,
    groupBy: d.layout.groupBy,
    where: summary ? [] : null,
    orderBy: null,
    ageFrom: d.layout.ageFrom,
    columns: d.columns.map((c) => {
      const created = d.newFields.find((n) => n.index === c.index);
      return { key: c.key, entry: created ? newFieldEntry(created) : c.source, comment: describe(c, !!created) };
    }),
    newFields: d.newFields,
  };
}

/** A new field as a line of templates/dictionary.yaml. */
export function dictionaryLine(f: NewField): string {
  const { index: _i, ...field } = f;
  return `  - ${flow(field)}`;
}

/** The template file, with 待定 comments where a person must still decide (row filter, sort, query name, department). */
export function templateYaml(p: TemplatePlan): string {
  const lines: string[] = [
    `# 模板草稿：由 npm run templates:draft 从部门表样 ${p.from} 生成。`,
    '# 标有"待定"的地方须由人决定；改好后运行 npm run templates:check，再重启服务。',
    '# 每列后的注释：表样中的表头 · 把握程度；其次可能的来源。',
  ];
  if (p.newFields.length) {
    lines.push('#', '# 字典中没有的字段：须加入 templates/dictionary.yaml（fields 末尾），重启时数据库按字典自动加列：');
    for (const f of p.newFields) lines.push(`#${dictionaryLine(f).slice(1)}`);
  }
  const summary = p.kind === 'summary';
  const frequencyName = { month: '月报', quarter: '季报', year: '年报' }[p.frequency];
  const reporting = summary
    ? { frequency: p.frequency, dueDay: 10, filledBy: 'street', reviewedBy: 'district' }
    : { frequency: p.frequency, dueDay: 10, filledBy: 'community', reviewedBy: 'street' };
  lines.push(
    `code: ${p.code}`,
    `query: ${p.query}${p.query === `form${p.code}` ? '   # 待定：GraphQL 查询名（英文，小写字母开头）' : ''}`,
    `name: ${flow(p.name)}`,
    `department: ${p.department ? flow(p.department) : '待填写   # 待定：哪个部门的表（部门账号只看到 department 中写有本部门的表）'}`,
    `reporting: ${flow(reporting)}   # 待定：报送周期与截止日（按表样推测为${frequencyName}）`,
  );
  if (summary) lines.push('summary: true');
  lines.push(`blankForm: ${p.blankForm}`, 'rows:');
  if (summary) {
    lines.push(`  groupBy: ${flow({ orgUnit: p.groupBy ?? 'community' })}`, `  totalsRow: ${flow({ label: '合计' })}`);
  } else {
    lines.push(`  entity: ${p.entity}`);
    if (p.where) lines.push(`  where: ${flow(p.where)}`);
    else {
      lines.push('  # 待定：行条件——哪些记录进表，写成列表，写好后替换下面的"待填写"。例如：');
      if (p.ageFrom) lines.push(`  #   where: [{ age: { gte: ${p.ageFrom} } }]      # 表名中有"${p.ageFrom}岁以上"`);
      lines.push('  #   where: [{ field: minimumLivingAllowance, equals: true }]', '  #   where: []      # 全部记录都进表', '  where: 待填写');
    }
    if (p.orderBy) lines.push(`  orderBy: ${flow(p.orderBy)}`);
    else lines.push('  # 待定：排序，例如 [{ orgUnit: grid }, { field: name }]（按网格，再按姓名）', `  orderBy: ${flow([{ orgUnit: 'grid' }])}`);
  }
  lines.push('# 每列对应部门表样中从左到右的一列；标题、表头、合并单元格、列宽和页面设置都从表样读取。', 'columns:');
  for (const c of p.columns) lines.push(`  - ${flow({ key: c.key, ...(c.entry ?? {}) })}   # ${c.comment}`);
  return `${lines.join('\n')}\n`;
}
