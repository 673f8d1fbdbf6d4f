import { Field, Int, ObjectType } from '@nestjs/graphql';
import { masked } from '../ledger/graphql/graphql-fields.js';
import { PageInfoType } from '../views/view.types.js';

@ObjectType('GridRef', { description: '网格及其所属社区' })
export class GridRefType {
  @Field({ description: '网格代码（15位）' }) code!: string;
  @Field({ description: '网格名称' }) name!: string;
  @Field({ description: '社区代码' }) communityCode!: string;
  @Field({ description: '社区名称' }) communityName!: string;
}

@ObjectType('MissingField', { description: '待完善的一项：一表通中的字段' })
export class MissingFieldType {
  @Field({ description: '字段键（一表通中的字段，如 phone）' }) field!: string;
  @Field({ description: '字段名称' }) label!: string;
}

@ObjectType('WorkListForm', { description: '居民所在的一张部门表单及其中空着的、可以填写的项' })
export class WorkListFormType {
  @Field({ description: '表单代码' }) code!: string;
  @Field({ description: '表单名称' }) name!: string;
  @Field({ description: '要求填报的部门' }) department!: string;
  @Field({ description: '下一次报送的报送期（2026-11、2026-Q4、2026）' }) period!: string;
  @Field({ description: '该报送期的截止日 yyyy-mm-dd' }) dueDate!: string;
  @Field(() => [MissingFieldType], { description: '空着的项，按表单列的顺序' }) missing!: MissingFieldType[];
}

@ObjectType('WorkListItem', { description: '待完善名单中的一位居民' })
export class WorkListItemType {
  @Field({ description: '公民身份号码（无权查看完整号码的账号为脱敏值）', middleware: [masked('idNumber', 'idNumber')] }) idNumber!: string;
  @Field({ description: '姓名' }) name!: string;
  @Field(() => GridRefType, { description: '所在网格' }) grid!: GridRefType;
  @Field({ description: '所涉表单中最近的截止日 yyyy-mm-dd' }) dueDate!: string;
  @Field(() => [WorkListFormType], { description: '有空项的表单，截止日近的在前' }) forms!: WorkListFormType[];
}

@ObjectType('WorkListGridTotal', { description: '一个网格的待完善合计' })
export class WorkListGridTotalType {
  @Field(() => GridRefType) grid!: GridRefType;
  @Field(() => Int, { description: '有空项的居民数' }) residents!: number;
  @Field(() => Int, { description: '有空项的"居民 × 表单"数' }) forms!: number;
  @Field(() => Int, { description: '空着的项数' }) fields!: number;
}

@ObjectType('WorkList', { description: '待完善：区划内各部门表单中有空项（可以填写的项）的居民' })
export class WorkListType {
  @Field({ description: '区划代码' }) orgUnitCode!: string;
  @Field({ description: '区划名称' }) orgUnitName!: string;
  @Field({ description: '计算日期（今天）' }) asOf!: string;
  @Field(() => Int, { description: '有空项的居民总数' }) totalCount!: number;
  @Field(() => [WorkListItemType], { description: '本页居民：截止日近的在前，其次所涉表单多的在前' }) items!: WorkListItemType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
  @Field(() => [WorkListGridTotalType], { description: '区划内每个网格的合计（没有空项的网格为 0）' }) grids!: WorkListGridTotalType[];
}
