import {
  type GraphQLFieldConfigMap, GraphQLFloat, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, type GraphQLOutputType,
  GraphQLSchema, GraphQLString,
} from 'graphql';
import type { TemplateColumn, TemplateDef, ValueType } from '../templates/template.types.js';
import { viewSelection } from './selection.js';
import type { FormView, FormViewArgs, ViewSelection } from './views.service.js';

/** Runs a view for a typed query; the GraphQL context is passed on for the access hook. */
export type ViewRunner = (context: unknown, args: FormViewArgs, select: ViewSelection) => Promise<FormView>;

const SCALARS: Record<ValueType, GraphQLOutputType> = { text: GraphQLString, integer: GraphQLInt, decimal: GraphQLFloat, date: GraphQLString };

const FREQUENCY_NAMES = { month: '月报，如 2026-11', quarter: '季报，如 2026-Q4', year: '年报，如 2026' } as const;

const pascal = (name: string) => name[0].toUpperCase() + name.slice(1);

/** The key of a summary form's 合计 row among its rows (formView keeps it as the last row). */
const TOTALS_KEY = 'total';

/**
 * What a column holds in the 合计 row: the label (text, whatever the column's type: 合计 under 序号), a count (an
 * integer, whatever the column counts: 3 ID numbers), a sum (the column's type), else the column's own type. Null
 * for a form without a 合计 row.
 */
function totalsTypes(t: TemplateDef): Map<string, GraphQLOutputType> | null {
  const types = new Map<string, GraphQLOutputType>();
  const own = (c: TemplateColumn) => SCALARS[c.type];
  if (t.rows.kind === 'rows') {
    const spec = t.rows.totals;
    if (!spec) return null;
    for (const c of t.columns) types.set(c.key, c.key === spec.labelColumn ? GraphQLString : spec.count.includes(c.key) ? GraphQLInt : own(c));
  } else {
    const label = t.rows.labelColumn;
    for (const c of t.columns) types.set(c.key, c.key === label ? GraphQLString : own(c));
  }
  return types;
}

/**
 * One typed query per template (elderlyLivingAlone, disabledPersons, …) whose row type has a field per column,
 * the Chinese header as its description. Pure: built from the templates alone, once, at start-up.
 */
export function templateQueryFields(templates: TemplateDef[], pageInfo: GraphQLOutputType, run: ViewRunner, frozenReport: GraphQLOutputType): GraphQLFieldConfigMap<unknown, unknown> {
  const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
  for (const t of templates) {
    const row = new GraphQLObjectType({
      name: `${pascal(t.query)}Row`,
      description: `${t.code} ${t.name}的一行`,
      fields: Object.fromEntries(
        t.columns.map((c) => [c.key, { type: SCALARS[c.type], description: c.header.join('／') }]),
      ),
    });
    const totalTypes = totalsTypes(t);
    const totals = totalTypes
      ? new GraphQLObjectType({
          name: `${pascal(t.query)}Totals`,
          description: `${t.code} ${t.name}的合计行：合计字样为文本，计数为整数`,
          fields: Object.fromEntries(t.columns.map((c) => [c.key, { type: totalTypes.get(c.key)!, description: c.header.join('／') }])),
        })
      : row;
    const page = new GraphQLObjectType({
      name: `${pascal(t.query)}Page`,
      description: `${t.code} ${t.name}：一页数据`,
      fields: {
        title: { type: new GraphQLNonNull(GraphQLString), description: '填好名称和日期的标题' },
        referenceDate: { type: new GraphQLNonNull(GraphQLString), description: '参考日期' },
        totalCount: { type: new GraphQLNonNull(GraphQLInt), description: '符合条件的总行数（只在查询选择此字段时计算）' },
        rows: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(row))) },
        keys: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))), description: '各行的键，与 rows 一一对应' },
        removedKeys: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)), description: '带 updatedSince 时：已不在本表中的行的键' },
        serverTime: { type: new GraphQLNonNull(GraphQLString), description: '下次增量同步时作为 updatedSince 传回' },
        totals: { type: totals, description: t.rows.kind === 'summary' ? '合计行（不在 rows 中）' : '合计行（汇总全部行）；表单没有合计行时为空' },
        pageInfo: { type: new GraphQLNonNull(pageInfo) },
        report: { type: frozenReport, description: '带 period 且该期报表已报送或已审核时：冻结的报表；否则为空（实时台账）' },
      },
    });
    fields[t.query] = {
      type: new GraphQLNonNull(page),
      description: `${t.code} ${t.name}（${t.department}）`,
      args: {
        orgUnit: { type: new GraphQLNonNull(GraphQLString), description: '区划或网格代码；区县、街道包含其下全部社区' },
        referenceDate: { type: GraphQLString, description: t.period === 'month' ? '月份 yyyy-mm，默认本月' : '参考日期 yyyy-mm-dd，默认今天' },
        first: { type: GraphQLInt, description: '每页行数，默认 100，最多 500（formView 每页最多 2000 行）' },
        after: { type: GraphQLString, description: '上一页的 pageInfo.endCursor（不透明；翻页期间的增删不会造成重复或遗漏）' },
        updatedSince: { type: GraphQLString, description: '增量同步：ISO 8601 时间，只返回此后有变化的行' },
        period: { type: GraphQLString, description: `报送期（${FREQUENCY_NAMES[t.reporting.frequency]}）：该期报表已报送或已审核时返回冻结的行，否则为该期末日的实时数据` },
      },
      resolve: async (_source, args, context, info) => {
        // Only the columns the query selects are read and formatted.
        const view = await run(context, { code: t.code, ...(args as Omit<FormViewArgs, 'code'>) }, viewSelection(info, true));
        const record = (values: unknown[]) => Object.fromEntries(view.columns.map((c, i) => [c.key, values[i]]));
        if (t.rows.kind === 'summary') {
          // A summary's 合计 row is the last of formView's rows; here it has its own type (合计 may stand under 序号).
          const at = view.keys.indexOf(TOTALS_KEY);
          const rows = view.rows.filter((_, i) => i !== at);
          return { ...view, rows: rows.map(record), keys: view.keys.filter((_, i) => i !== at), totalCount: view.totalCount === null ? null : view.totalCount - (at >= 0 ? 1 : 0), totals: at >= 0 ? record(view.rows[at]) : null };
        }
        return { ...view, rows: view.rows.map(record), totals: view.totals && record(view.totals) };
      },
    };
  }
  return fields;
}

/** The code-first schema with extra Query fields. */
export function withQueryFields(schema: GraphQLSchema, extra: GraphQLFieldConfigMap<unknown, unknown>): GraphQLSchema {
  const config = schema.toConfig();
  const query = schema.getQueryType()!.toConfig();
  const clash = Object.keys(extra).find((name) => name in query.fields);
  if (clash) throw new Error(`模板的查询名 "${clash}" 与已有查询重名`);
  const merged = new GraphQLObjectType({ ...query, fields: { ...query.fields, ...extra } });
  return new GraphQLSchema({ ...config, query: merged, types: config.types.filter((type) => type.name !== query.name) });
}
