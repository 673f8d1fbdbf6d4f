import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-type-json';
import { TemplateColumnType } from '../views/view.types.js';

export enum FormChangeKindEnum {
  ENTERED = 'ENTERED',
  CHANGED = 'CHANGED',
  LEFT = 'LEFT',
}

registerEnumType(FormChangeKindEnum, {
  name: 'FormChangeKind',
  description: 'ENTERED 新进入本表（本用户的区划内）；CHANGED 显示的值有变化；LEFT 离开本表（注销、迁出区划、不再符合条件）',
});

@ObjectType('FormChange', { description: '变更流中的一条：一行进入、变化或离开表单' })
export class FormChangeType {
  @Field(() => FormChangeKindEnum) kind!: FormChangeKindEnum;
  @Field({ description: '行的键（与 formView 的 keys 相同）' }) key!: string;
  @Field({ description: '这条变更的位置：作为 after 传回即从它之后继续' }) cursor!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: '变更后的行（按 columns 的顺序，已按本用户的权限脱敏）；LEFT 时为空' }) row!: unknown[] | null;
  @Field({ description: '变更写入的时间（ISO 8601，毫秒）' }) at!: string;
}

@ObjectType('FormChangesPageInfo', { description: '变更流分页' })
export class FormChangesPageInfoType {
  @Field({ description: '是否还有下一页（为否时已追上最新变更）' }) hasNextPage!: boolean;
  @Field({ description: '下次请求时作为 after 传回（没有新变更时也会前进，保存它即可）' }) endCursor!: string;
}

@ObjectType('FormChanges', { description: '一张表单的变更流：自某个游标之后进入、变化和离开本表的行，按提交顺序' })
export class FormChangesType {
  @Field() code!: string;
  @Field({ description: '行的参考日期（年龄等按此日计算；今天或本月末）' }) referenceDate!: string;
  @Field(() => [TemplateColumnType], { description: '行值的列（表单的列，不含序号列：序号是位置，不是行的内容）' }) columns!: TemplateColumnType[];
  @Field(() => [FormChangeType]) changes!: FormChangeType[];
  @Field(() => FormChangesPageInfoType) pageInfo!: FormChangesPageInfoType;
}
