import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('OrgUnit', { description: '行政区划或网格：区县 → 街道 → 社区 → 网格' })
export class OrgUnitType {
  @Field({ description: '代码：区县、街道、社区为12位统计用区划代码；网格为社区代码加3位序号（15位）' })
  code!: string;

  @Field({ description: '名称' })
  name!: string;

  @Field({ description: '层级：district 区县 / street 街道 / community 社区 / grid 网格' })
  level!: string;

  @Field({ description: '层级名称' })
  levelName!: string;

  @Field(() => String, { nullable: true, description: '上级代码' })
  parentCode!: string | null;

  @Field(() => Int, { description: '在上级中的顺序' })
  sortOrder!: number;
}
