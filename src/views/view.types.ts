import { Field, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-type-json';

@ObjectType('TemplateColumn', { description: '部门表单的一列' })
export class TemplateColumnType {
  @Field({ description: '列键（类型化查询中的字段名）' }) key!: string;
  @Field(() => [String], { description: '表头：分组表头在前，末项为本列表头' }) header!: string[];
  @Field({ description: '取值类型：text integer decimal date' }) type!: string;
}

@ObjectType('Template', { description: '部门表单模板：对台账的声明式映射' })
export class TemplateType {
  @Field({ description: '表单代码，如 F01' }) code!: string;
  @Field({ description: '类型化查询的名称' }) query!: string;
  @Field({ description: '表单名称' }) name!: string;
  @Field({ description: '要求填报的部门' }) department!: string;
  @Field({ description: '标题模式：{street}{community}{year}{month}{day} 处填入名称和日期' }) title!: string;
  @Field({ description: 'date：按参考日期；month：按月份（报告期）' }) period!: string;
  @Field({ description: '报送频次：month 月报、quarter 季报、year 年报' }) frequency!: string;
  @Field(() => Int, { description: '报送截止日：报送期结束后的次月几号' }) dueDay!: number;
  @Field({ description: '填报层级：community 社区、street 街道' }) filledBy!: string;
  @Field({ description: '审核层级：street 街道、district 区县' }) reviewedBy!: string;
  @Field({ description: '是否为汇总表（每社区一行，末行合计）' }) summary!: boolean;
  @Field(() => [TemplateColumnType]) columns!: TemplateColumnType[];
}

@ObjectType('PageInfo', { description: '分页信息' })
export class PageInfoType {
  @Field({ description: '是否还有下一页' }) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: '下一页请求时作为 after 原样传回（不透明的游标）' }) endCursor!: string | null;
}

@ObjectType('FrozenReport', { description: '带 period 查询时，本次数据所取自的已报送（或已审核）报表' })
export class FrozenReportType {
  @Field(() => Int) id!: number;
  @Field({ description: 'submitted（已报）或 approved（已审核）' }) status!: string;
  @Field({ description: '报送期，如 2026-11、2026-Q4' }) period!: string;
  @Field(() => String, { nullable: true, description: '填表人' }) submittedBy!: string | null;
  @Field(() => String, { nullable: true, description: '报送时间（ISO 8601）' }) submittedAt!: string | null;
  @Field(() => String, { nullable: true, description: '审核人' }) reviewedBy!: string | null;
  @Field(() => String, { nullable: true, description: '审核时间（ISO 8601）' }) reviewedAt!: string | null;
  @Field(() => String, { nullable: true, description: '冻结内容的 SHA-256' }) sha256!: string | null;
  @Field(() => Int, { description: '行数（不含合计行）' }) rowCount!: number;
}

@ObjectType('FormView', { description: '一张部门表单在某区划、某参考日期的数据（通用格式）' })
export class FormViewType {
  @Field() code!: string;
  @Field({ description: '填好名称和日期的标题' }) title!: string;
  @Field({ description: '参考日期（年龄等按此日计算）' }) referenceDate!: string;
  @Field(() => [TemplateColumnType], { description: '列（本用户可见的列）' }) columns!: TemplateColumnType[];
  @Field(() => Int, { description: '符合条件的总行数（只在查询选择此字段时计算）' }) totalCount!: number;
  @Field(() => [GraphQLJSON], { description: '本页各行，每行是按列顺序排列的值数组' }) rows!: unknown[][];
  @Field(() => [String], { description: '各行的键（记录编号），与 rows 一一对应，用于增量同步' }) keys!: string[];
  @Field(() => [String], { nullable: true, description: '带 updatedSince 时：已不在本表中的行的键（可能包含客户端从未有过的键，删除即可）' }) removedKeys!: string[] | null;
  @Field({ description: '本次查询的服务器时间；下次增量同步时作为 updatedSince 传回' }) serverTime!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: '合计行（按列顺序），汇总全部行而非本页；表单没有合计行时为空' }) totals!: unknown[] | null;
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
  @Field(() => FrozenReportType, { nullable: true, description: '带 period 且该期报表已报送或已审核时：冻结的报表（行为报送时的内容）；否则为空，行取自实时台账' })
  report!: FrozenReportType | null;
}
