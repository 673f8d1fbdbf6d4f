import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('BurdenForm', { description: '减负报告中的一张部门表单：无需另行填写，由台账生成' })
export class BurdenFormType {
  @Field({ description: '表单代码' }) code!: string;
  @Field({ description: '表单名称' }) name!: string;
  @Field({ description: '部门（可有多个，以顿号分隔）' }) department!: string;
  @Field(() => Int, { description: '列数' }) columns!: number;
  @Field(() => Int, { description: '与其他表单要同样事实（字段）的列数' }) sharedColumns!: number;
  @Field(() => Int, { description: '本期为该区划生成的份数（每个填报单位一份；区划低于填报层级时为其所占的一份）' }) copies!: number;
  @Field(() => Int, { description: '期末的行数（汇总表含合计行）' }) rows!: number;
  @Field(() => Int, { description: '生成的单元格：行数 × 列数' }) cells!: number;
  @Field(() => Int, { description: '本期人工录入的事实填入本表的单元格' }) cellsFilled!: number;
}

@ObjectType('BurdenField', { description: '一个事实（字典字段）：供数给哪些表单、多少列，本期录入了多少' })
export class BurdenFieldType {
  @Field({ description: '字段键' }) field!: string;
  @Field({ description: '字段名称' }) label!: string;
  @Field(() => Int, { description: '要此事实的表单数' }) forms!: number;
  @Field(() => Int, { description: '要此事实的列数（各表合计）' }) columns!: number;
  @Field(() => [String], { description: '要此事实的表单代码' }) formCodes!: string[];
  @Field(() => Int, { description: '本期人工录入的此项事实（记录 × 字段，同一项多次修改计一次）' }) factsTyped!: number;
  @Field(() => Int, { description: '这些事实填入的单元格' }) cellsFilled!: number;
}

@ObjectType('BurdenOverlap', { description: '两个部门的表单要同样事实的情况：报表清理的依据' })
export class BurdenOverlapType {
  @Field() departmentA!: string;
  @Field() departmentB!: string;
  @Field(() => Int, { description: '两个部门都要的事实（字段）数' }) sharedFields!: number;
  @Field(() => [String], { description: '这些事实的名称' }) fields!: string[];
  @Field(() => Int, { description: '部门甲的表单中要这些事实的列数' }) columnsA!: number;
  @Field(() => Int, { description: '部门乙的表单中要这些事实的列数' }) columnsB!: number;
}

@ObjectType('BurdenReport', { description: '减负报告：录入一次，填入多少张部门表单的多少个单元格' })
export class BurdenReportType {
  @Field() orgUnitCode!: string;
  @Field() orgUnitName!: string;
  @Field({ description: '统计期：2026-11、2026-Q4 或 2026' }) period!: string;
  @Field({ description: '统计期的中文：2026年11月' }) periodLabel!: string;
  @Field({ description: '统计期第一天 yyyy-mm-dd' }) from!: string;
  @Field({ description: '统计期最后一天 yyyy-mm-dd（表单的行取这一天的）' }) to!: string;
  @Field(() => Int, { description: '人工录入的事实：本期经页面、接口或导入改动的（记录，字段），录入了值的；演示数据和系统写入的不计' }) factsTyped!: number;
  @Field(() => Int, { description: '字段修改次数（同一项多次修改各计一次）' }) changesTyped!: number;
  @Field(() => Int, { description: '这些事实在期末填入各部门表单的单元格' }) cellsFilled!: number;
  @Field(() => Float, { nullable: true, description: 'cellsFilled / factsTyped，保留两位小数；本期无录入时为空' }) cellsPerFact!: number | null;
  @Field(() => Int, { description: '本期生成、无需另行填写的表单份数（全部表单都是）' }) formsWithoutTyping!: number;
  @Field(() => Int, { description: '这些表单的单元格合计' }) cellsProduced!: number;
  @Field(() => [BurdenFormType]) byForm!: BurdenFormType[];
  @Field(() => [BurdenFieldType]) byField!: BurdenFieldType[];
  @Field(() => [BurdenOverlapType]) overlap!: BurdenOverlapType[];
}
