import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('CodeOption', { description: '代码表中的一项' })
export class CodeOptionType {
  @Field({ description: '代码' })
  code!: string;

  @Field({ description: '名称' })
  name!: string;
}

@ObjectType('CodeList', { description: '代码表（国家标准或本系统编排）' })
export class CodeListType {
  @Field() key!: string;
  @Field({ description: '名称' }) name!: string;
  @Field({ description: '依据的标准' }) standard!: string;
  @Field(() => [CodeOptionType]) items!: CodeOptionType[];
}

@ObjectType('FormRef', { description: '一张部门表单' })
export class FormRefType {
  @Field({ description: '表单代码，如 F01' }) code!: string;
  @Field({ description: '表单名称' }) name!: string;
  @Field({ description: '要求填报的部门' }) department!: string;
}

@ObjectType('OneFormField', { description: '一表通中的一个字段：各部门表单需要的同一事实只填一次' })
export class OneFormFieldType {
  @Field({ description: '字段键（即 upsertResident 输入中的字段名）' }) key!: string;
  @Field({ description: '中文标签' }) label!: string;
  @Field({ description: '类型：text idNumber creditCode phone code boolean integer decimal date month staffRef residentRef' }) type!: string;
  @Field({ description: '是否必填' }) required!: boolean;
  @Field({ description: '是否由其他字段得出（出生日期、性别由公民身份号码得出），只显示不填写' }) derived!: boolean;
  @Field(() => String, { nullable: true, description: '由哪个字段得出' }) derivedFrom!: string | null;
  @Field(() => String, { nullable: true, description: '代码表键' }) codeList!: string | null;
  @Field(() => [CodeOptionType], { nullable: true, description: '可选项（代码与名称）' }) options!: CodeOptionType[] | null;
  @Field(() => Int, { nullable: true, description: '最大长度（字）' }) maxLength!: number | null;
  @Field(() => Float, { nullable: true, description: '最小值' }) min!: number | null;
  @Field(() => Float, { nullable: true, description: '最大值' }) max!: number | null;
  @Field(() => String, { nullable: true, description: '填写说明' }) help!: string | null;
  @Field({ description: '敏感程度：ordinary 一般 / personal 个人信息 / sensitive 敏感个人信息' }) sensitivity!: string;
  @Field(() => String, { nullable: true, description: '仅在此条件成立时填写（说明文字）' }) onlyWhen!: string | null;
  @Field(() => [FormRefType], { description: '用到此字段的部门表单' }) forms!: FormRefType[];
}

@ObjectType('OneFormSection', { description: '一表通的一个分区' })
export class OneFormSectionType {
  @Field() key!: string;
  @Field({ description: '分区名称' }) label!: string;
  @Field(() => [OneFormFieldType]) fields!: OneFormFieldType[];
}

@ObjectType('OneForm', { description: '一表通：各部门表单所需的全部居民字段，合并为一张表，每个事实只出现一次' })
export class OneFormType {
  @Field(() => [OneFormSectionType]) sections!: OneFormSectionType[];
  @Field(() => [FormRefType], { description: '由此表供数的全部部门表单' }) forms!: FormRefType[];
}
