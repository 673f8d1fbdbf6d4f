import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('QualityWarning', { description: '数据质量提示：templates/rules.yaml 中对该居民成立的一条规则' })
export class QualityWarningType {
  @Field({ description: '规则编号，如 LIVING_ALONE_WITH_HOUSEHOLD' }) rule!: string;
  @Field({ description: '稳定的代码 RULE_<规则编号>（严重程度为 error 时保存被拒绝的字段错误代码）' }) code!: string;
  @Field({ description: 'error（错误：引入它的保存被拒绝；此前已有的照常列出）或 warning（提示：保存，并列出）' }) severity!: string;
  @Field({ description: '提示语' }) message!: string;
  @Field(() => [String], { description: '所涉及的字段（字段字典的键）' }) fields!: string[];
}

@ObjectType('QualityRuleCount', { description: '一条规则在该区划内成立的居民数' })
export class QualityRuleCountType {
  @Field() rule!: string;
  @Field() code!: string;
  @Field() severity!: string;
  @Field() message!: string;
  @Field(() => [String]) fields!: string[];
  @Field(() => Int, { description: '该规则成立的在册居民数' }) count!: number;
}
