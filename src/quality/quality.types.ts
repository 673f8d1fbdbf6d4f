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

@ObjectType('QualityRuleTally', { description: '一条规则在一个社区或网格内成立的居民数' })
export class QualityRuleTallyType {
  @Field({ description: '规则编号' }) rule!: string;
  @Field(() => Int, { description: '该规则成立的在册居民数' }) count!: number;
}

@ObjectType('QualityUnitCount', { description: '一个社区或网格的数据质量合计（没有提示的也列出，均为 0）' })
export class QualityUnitCountType {
  @Field({ description: '社区或网格代码' }) code!: string;
  @Field({ description: '名称' }) name!: string;
  @Field({ description: 'community 或 grid' }) level!: string;
  @Field({ description: '上级名称（网格所属社区；社区所属街道）' }) parentName!: string;
  @Field(() => Int, { description: '检查的在册居民数' }) residentsChecked!: number;
  @Field(() => Int, { description: '至少一条规则成立的居民数' }) residentsAffected!: number;
  @Field(() => [QualityRuleTallyType], { description: '每条规则（templates/rules.yaml 的顺序）成立的居民数，0 也列出' }) byRule!: QualityRuleTallyType[];
}
