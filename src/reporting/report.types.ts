import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ReportChanges', { description: '报表冻结以来台账的变化（与同一报送期的实时数据相比）' })
export class ReportChangesType {
  @Field(() => Int, { description: '新进入本表的行数' }) entered!: number;
  @Field(() => Int, { description: '已离开本表的行数' }) left!: number;
  @Field(() => Int, { description: '仍在表中但显示的值有变化的行数' }) changed!: number;
}

@ObjectType('Report', { description: '一张表、一个区划、一个报送期的报表（一表流转）' })
export class ReportType {
  @Field(() => Int, { nullable: true, description: '报表编号；待报（尚未报送）时为空' }) id!: number | null;
  @Field({ description: '表单代码' }) code!: string;
  @Field({ description: '表单名称' }) formName!: string;
  @Field({ description: '填报的区划代码' }) orgUnitCode!: string;
  @Field({ description: '填报的区划名称' }) orgUnitName!: string;
  @Field({ description: '报送期：2026-11、2026-Q4、2026' }) period!: string;
  @Field({ description: '报送期的中文说法：2026年11月' }) periodLabel!: string;
  @Field({ description: '报送截止日 yyyy-mm-dd' }) dueDate!: string;
  @Field({ description: 'pending 待报、submitted 已报、approved 已审核、returned 退回' }) status!: string;
  @Field({ description: '状态的中文' }) statusName!: string;
  @Field(() => String, { nullable: true, description: '填表人（最近一次报送）' }) submittedBy!: string | null;
  @Field(() => String, { nullable: true, description: '最近一次报送时间（ISO 8601）' }) submittedAt!: string | null;
  @Field(() => String, { nullable: true, description: '审核人（审核通过、退回或重新打开的人）' }) reviewedBy!: string | null;
  @Field(() => String, { nullable: true, description: '审核时间（ISO 8601）' }) reviewedAt!: string | null;
  @Field(() => String, { nullable: true, description: '退回或重新打开的原因' }) returnReason!: string | null;
  @Field(() => Int, { description: '冻结的行数（不含合计行）；待报为 0' }) rowCount!: number;
  @Field(() => String, { nullable: true, description: '冻结内容的 SHA-256' }) sha256!: string | null;
  @Field({ description: '首次报送在截止日当天或之前' }) onTime!: boolean;
  @Field({ description: '已过截止日仍未报送（或被退回未重报）' }) overdue!: boolean;
  @Field({ description: '当前账号现在可以报送（待报或退回，且报送期已到最后一天）' }) canSubmit!: boolean;
  @Field({ description: '当前账号可以审核、退回或重新打开' }) canReview!: boolean;
  @Field(() => ReportChangesType, { nullable: true, description: '冻结以来台账的变化（按需计算，较慢）；待报为空' }) changedSince?: ReportChangesType | null;
}

@ObjectType('ReportingUnit', { description: '报送情况中的一个区划' })
export class ReportingUnitType {
  @Field() orgUnitCode!: string;
  @Field() orgUnitName!: string;
  @Field({ description: 'pending submitted approved returned' }) status!: string;
  @Field() statusName!: string;
  @Field() onTime!: boolean;
  @Field() overdue!: boolean;
  @Field(() => Int, { nullable: true }) reportId!: number | null;
}

@ObjectType('FormCompleteness', { description: '一张表在某报送期的报送情况（报送情况 / 完整性与及时性）' })
export class FormCompletenessType {
  @Field() code!: string;
  @Field() formName!: string;
  @Field() period!: string;
  @Field() periodLabel!: string;
  @Field() dueDate!: string;
  @Field(() => Int, { description: '应报' }) expected!: number;
  @Field(() => Int, { description: '已报（待审核）' }) submitted!: number;
  @Field(() => Int, { description: '已审核' }) approved!: number;
  @Field(() => Int, { description: '退回' }) returned!: number;
  @Field(() => Int, { description: '待报' }) pending!: number;
  @Field(() => Int, { description: '逾期（过截止日未报或退回未重报）' }) overdue!: number;
  @Field(() => Int, { description: '按时（首次报送不晚于截止日）' }) onTime!: number;
  @Field(() => [ReportingUnitType], { description: '各区划' }) units!: ReportingUnitType[];
}
