import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-type-json';

@ObjectType('ImportSummary', { description: '导入预览的统计' })
export class ImportSummaryType {
  @Field(() => Int, { description: '数据行数' }) rows!: number;
  @Field(() => Int, { description: '将新建' }) creates!: number;
  @Field(() => Int, { description: '将补充（台账中原为空的字段）' }) updates!: number;
  @Field(() => Int, { description: '与台账一致' }) unchanged!: number;
  @Field(() => Int, { description: '与台账不一致（冲突）' }) conflicts!: number;
  @Field(() => Int, { description: '有错误' }) errors!: number;
  @Field(() => Int, { description: '有提示' }) warnings!: number;
}

@ObjectType('Import', { description: '一次台账导入：上传的文件、预览结果和是否已提交' })
export class ImportType {
  @Field(() => Int) id!: number;
  @Field({ description: '文件的 SHA-256' }) sha256!: string;
  @Field({ description: '表单代码' }) formCode!: string;
  @Field({ description: '导入到的社区或网格' }) orgUnitCode!: string;
  @Field() fileName!: string;
  @Field({ description: 'preview 待提交 / committed 已提交' }) status!: string;
  @Field({ description: '上传者' }) username!: string;
  @Field(() => ImportSummaryType) summary!: ImportSummaryType;
  @Field(() => Int, { nullable: true, description: '提交时写入的记录数' }) committedRows!: number | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) committedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: '同一文件此前已提交过的导入编号（再次提交不会改变任何数据）' }) alreadyImportedId!: number | null;
  @Field({ description: '错误报告：用户自己的工作簿，错误单元格标红并加批注，另有"错误清单"工作表（5 分钟内有效的下载地址）' }) errorsUrl!: string;
}

@ObjectType('ImportFieldDiff', { description: '一个字段：台账中的值与文件中的值' })
export class ImportFieldDiffType {
  @Field() field!: string;
  @Field() label!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: '台账中的值' }) ledger!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: '文件中的值' }) file!: unknown;
}

@ObjectType('ImportCellProblem', { description: '一个单元格（或整行：column 为 0）的问题' })
export class ImportCellProblemType {
  @Field(() => Int, { description: '列号（1 起）；0 表示整行' }) column!: number;
  @Field({ description: '列名' }) header!: string;
  @Field({ description: '单元格中填写的值' }) value!: string;
  @Field() code!: string;
  @Field({ description: '原因' }) message!: string;
}

@ObjectType('ImportRow', { description: '预览中的一行' })
export class ImportRowType {
  @Field(() => Int, { description: '在用户表格中的行号' }) row!: number;
  @Field({ description: 'create 新建 / update 补充 / unchanged 一致 / conflict 冲突 / error 错误' }) kind!: string;
  @Field({ description: '公民身份号码、商户或走访' }) subject!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => [ImportFieldDiffType]) changes!: ImportFieldDiffType[];
  @Field(() => [ImportFieldDiffType]) conflicts!: ImportFieldDiffType[];
  @Field(() => [ImportCellProblemType]) errors!: ImportCellProblemType[];
  @Field(() => [ImportCellProblemType]) warnings!: ImportCellProblemType[];
}

@ObjectType('ImportPreview', { description: '导入预览：统计与各行明细（分页）' })
export class ImportPreviewType {
  @Field(() => ImportType) import!: ImportType;
  @Field(() => Int, { description: '符合条件的行数' }) total!: number;
  @Field(() => [ImportRowType]) rows!: ImportRowType[];
}
