import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-type-json';

@ObjectType('FieldChange', { description: '一个字段修改前后的值' })
export class FieldChangeType {
  @Field({ description: '字段键' }) field!: string;
  @Field({ description: '字段名称' }) label!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: '修改前' }) before!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: '修改后' }) after!: unknown;
}

@ObjectType('AuditEntry', { description: '审计日志的一条：谁、何时、从哪里（表单、导入、接口）、做了什么' })
export class AuditEntryType {
  @Field(() => Int) id!: number;
  @Field(() => GraphQLISODateTime, { description: '时间' }) at!: Date;
  @Field(() => Int, { nullable: true, description: '账号编号' }) accountId!: number | null;
  @Field({ description: '用户名' }) username!: string;
  @Field({ description: '角色' }) role!: string;
  @Field({ description: '来源：form 一表通页面 / import 导入 / api 接口 / system 系统' }) source!: string;
  @Field({ description: '请求编号（响应头 X-Request-Id）' }) requestId!: string;
  @Field({ description: '操作：create update delete deregister restore transfer reactivate reveal export import login login_failed login_locked login_unlock denied_lookup duplicate_elsewhere template_save' }) action!: string;
  @Field(() => String, { nullable: true, description: '对象：resident household visit business staff account template' }) entity!: string | null;
  @Field(() => Int, { nullable: true, description: '对象编号' }) recordId!: number | null;
  @Field(() => [FieldChangeType], { nullable: true, description: '修改的字段及前后值' }) changes!: FieldChangeType[] | null;
  @Field(() => GraphQLJSON, { nullable: true, description: '查询或导出的条件（身份证号、电话已脱敏）' }) filter!: unknown;
  @Field(() => Int, { nullable: true, description: '涉及的行数' }) rowCount!: number | null;
}
