import { Field, GraphQLISODateTime, InputType, Int, ObjectType } from '@nestjs/graphql';
import { type Dictionary, fieldsOf } from '../../dictionary/dictionary.types.js';
import { addDictionaryFields } from './graphql-fields.js';

/**
 * The ledger's GraphQL types, generated from the field dictionary: one field per canonical field, so adding a
 * field to the dictionary adds it to the API. Keys, links and versions are written here.
 */
export function buildLedgerTypes(dict: Dictionary): LedgerTypes {
  // Nest keeps code-first type metadata for the whole process: build the classes once per dictionary content, so
  // a second app in the same process (tests, benchmarks) reuses them instead of declaring every type twice.
  const fingerprint = JSON.stringify(dict.fields);
  if (built && built.fingerprint !== fingerprint) {
    throw new Error('同一进程中不能加载两套不同的字段字典（GraphQL 类型已按第一套生成）');
  }
  built ??= { fingerprint, types: declareLedgerTypes(dict) };
  return built.types;
}

let built: { fingerprint: string; types: LedgerTypes } | undefined;

function declareLedgerTypes(dict: Dictionary) {
  @ObjectType('Staff', { description: '工作人员：网格员、社区干部（走访人、包联干部）' })
  class StaffType {
    @Field(() => Int, { description: '工作人员编号' }) id!: number;
    @Field(() => Int, { description: '版本号，修改时作为 expectedVersion 提交' }) version!: number;
    @Field({ description: '所属区划或网格代码' }) orgUnitCode!: string;
  }
  addDictionaryFields(StaffType, dict, fieldsOf(dict, 'staff'), 'output');

  @ObjectType('Resident', { description: '居民：一表通录入的全部事实；出生日期、性别、年龄由公民身份号码得出' })
  class ResidentType {
    @Field(() => Int) id!: number;
    @Field(() => Int, { description: '版本号，修改时作为 expectedVersion 提交' }) version!: number;
    @Field({ description: '所属网格代码' }) gridCode!: string;
    @Field(() => Int, { nullable: true, description: '今天的周岁年龄' }) age!: number | null;
    @Field(() => GraphQLISODateTime, { description: '登记时间' }) createdAt!: Date;
    @Field(() => GraphQLISODateTime, { description: '最后修改时间' }) updatedAt!: Date;
  }
  addDictionaryFields(ResidentType, dict, fieldsOf(dict, 'resident', 'household'), 'output');

  @ObjectType('Household', { description: '户：同一网格内同一地址共同居住的居民' })
  class HouseholdType {
    @Field(() => Int) id!: number;
    @Field(() => Int) version!: number;
    @Field({ description: '所属网格代码' }) gridCode!: string;
  }
  addDictionaryFields(HouseholdType, dict, fieldsOf(dict, 'household'), 'output');

  @ObjectType('Visit', { description: '走访记录：网格员对重点人群的一次走访' })
  class VisitType {
    @Field(() => Int) id!: number;
    @Field(() => Int) version!: number;
    @Field(() => GraphQLISODateTime, { description: '记录时间' }) createdAt!: Date;
  }
  addDictionaryFields(VisitType, dict, fieldsOf(dict, 'visit'), 'output');

  @ObjectType('Business', { description: '商户：经营者须是登记的居民' })
  class BusinessType {
    @Field(() => Int) id!: number;
    @Field(() => Int) version!: number;
    @Field({ description: '所属网格代码' }) gridCode!: string;
  }
  addDictionaryFields(BusinessType, dict, fieldsOf(dict, 'business'), 'output');

  @InputType('UpsertResidentInput', { description: '登记或修改一位居民。按公民身份号码识别；修改时只提交要改的字段，并带上 expectedVersion' })
  class UpsertResidentInput {
    @Field(() => String, { nullable: true, description: '所属网格代码；新登记时必填，迁往其他网格时填写新网格' }) gridCode?: string | null;
    @Field(() => Int, { nullable: true, description: '修改时必填：读取时的版本号；版本已变则返回 CONFLICT' }) expectedVersion?: number | null;
  }
  addDictionaryFields(UpsertResidentInput, dict, fieldsOf(dict, 'resident', 'household'), 'input');

  @InputType('RecordVisitInput', { description: '记录一次走访' })
  class RecordVisitInput {
    @Field(() => String, { nullable: true, description: '走访对象的公民身份号码' }) residentIdNumber?: string | null;
    @Field(() => Int, { nullable: true, description: '走访人（网格员）的工作人员编号' }) staffId?: number | null;
  }
  addDictionaryFields(RecordVisitInput, dict, fieldsOf(dict, 'visit'), 'input');

  const upsertInput = (name: string, description: string, orgKey: 'gridCode' | 'orgUnitCode', entity: 'business' | 'staff' | 'household') => {
    @InputType(name, { description })
    class UpsertInput {
      @Field(() => Int, { nullable: true, description: '修改时填编号；新建时不填' }) id?: number | null;
      @Field(() => Int, { nullable: true, description: '修改时必填：读取时的版本号' }) expectedVersion?: number | null;
    }
    Field(() => String, { nullable: true, description: orgKey === 'gridCode' ? '所属网格代码' : '所属区划或网格代码' })(UpsertInput.prototype, orgKey);
    addDictionaryFields(UpsertInput, dict, fieldsOf(dict, entity), 'input');
    return UpsertInput;
  };

  return {
    StaffType,
    ResidentType,
    HouseholdType,
    VisitType,
    BusinessType,
    UpsertResidentInput,
    RecordVisitInput,
    UpsertBusinessInput: upsertInput('UpsertBusinessInput', '登记或修改商户', 'gridCode', 'business'),
    UpsertStaffInput: upsertInput('UpsertStaffInput', '登记或修改工作人员', 'orgUnitCode', 'staff'),
    UpsertHouseholdInput: upsertInput('UpsertHouseholdInput', '新建或修改户（居民的现居住地址会自动归户）', 'gridCode', 'household'),
  };
}

export type LedgerTypes = ReturnType<typeof declareLedgerTypes>;
