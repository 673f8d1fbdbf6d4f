import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { masked } from '../ledger/graphql/graphql-fields.js';
import { PageInfoType } from '../views/view.types.js';
import { GridRefType } from '../work-list/work-list.types.js';

@ObjectType('VisitGroup', { description: '一类重点人群及其走访频次（templates/visits.yaml）' })
export class VisitGroupType {
  @Field({ description: '人群名称，如 独居老人' }) name!: string;
  @Field({ description: '决定谁属于该人群的居民表单，如 F01' }) form!: string;
  @Field({ description: 'month 每月、quarter 每季度、year 每年一次' }) frequency!: string;
  @Field({ description: '所查月份所在的走访期的第一天' }) periodFrom!: string;
  @Field({ description: '走访期的最后一天' }) periodTo!: string;
}

@ObjectType('DueVisit', { description: '本期尚未走访的一位重点人群居民' })
export class DueVisitType {
  @Field({ description: '公民身份号码（无权查看完整号码的账号为脱敏值）', middleware: [masked('idNumber', 'idNumber')] }) idNumber!: string;
  @Field({ description: '姓名' }) name!: string;
  @Field(() => GridRefType, { description: '所在网格' }) grid!: GridRefType;
  @Field(() => [String], { description: '所属的重点人群' }) groups!: string[];
  @Field(() => String, { nullable: true, description: '所查月份末之前最近一次走访的日期；从未走访为空' }) lastVisitDate!: string | null;
  @Field({ description: '上一期也没有走访（逾期）' }) overdue!: boolean;
}

@ObjectType('VisitCoverage', { description: '一个网格（社区、区划）的走访覆盖' })
export class VisitCoverageType {
  @Field({ description: '区划代码' }) code!: string;
  @Field({ description: '名称' }) name!: string;
  @Field({ description: 'grid 网格 / community 社区 / street 街道 / district 区县' }) level!: string;
  @Field({ description: '上级名称（网格所属的社区）' }) parentName!: string;
  @Field(() => Int, { description: '应走访：本期须走访的重点人群居民' }) due!: number;
  @Field(() => Int, { description: '已走访：本期已走访的' }) visited!: number;
  @Field(() => Int, { description: '逾期：本期和上一期都没有走访的' }) overdue!: number;
  @Field(() => Float, { nullable: true, description: '覆盖率 = 已走访 / 应走访（0–1）；没有应走访的为空' }) ratio!: number | null;
}

@ObjectType('VisitsDue', { description: '重点人群走访：某月尚未走访的居民，和各网格的走访覆盖' })
export class VisitsDueType {
  @Field() orgUnitCode!: string;
  @Field() orgUnitName!: string;
  @Field({ description: '所查月份 yyyy-mm' }) month!: string;
  @Field({ description: '判断人群归属（年龄、注销）的日期：该月最后一天，本月为今天' }) referenceDate!: string;
  @Field(() => [VisitGroupType], { description: '重点人群及其走访期' }) groups!: VisitGroupType[];
  @Field(() => Int, { description: '尚未走访的居民总数' }) totalCount!: number;
  @Field(() => [DueVisitType], { description: '本页尚未走访的居民：逾期的在前，其次最久没有走访的' }) residents!: DueVisitType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
  @Field(() => [VisitCoverageType], { description: '每个网格的走访覆盖' }) coverage!: VisitCoverageType[];
  @Field(() => [VisitCoverageType], { description: '每个社区的走访覆盖（各网格之和）' }) communities!: VisitCoverageType[];
  @Field(() => VisitCoverageType, { description: '整个区划的走访覆盖' }) total!: VisitCoverageType;
}
