/**
 * The words of the template language itself, as departments write them in headers. Wordings for dictionary fields
 * are data (`aliases` in templates/dictionary.yaml); these name the language's own sources (序号, 年龄, 所属网格…) and
 * built-in relations, which change only when the language does.
 */
import type { FieldType } from '../../dictionary/dictionary.types.js';

/** Built-in sources of detail forms, by the headers that ask for them; `entities`: which row kinds offer them. */
export const BUILT_INS: { words: string[]; source: Record<string, unknown>; entities: ('resident' | 'visit' | 'business')[] }[] = [
  { words: ['序号', '编号', '顺序号', '序'], source: { rowNumber: true }, entities: ['resident', 'visit', 'business'] },
  { words: ['年龄', '周岁', '实际年龄', '年龄（岁）'], source: { age: true }, entities: ['resident'] },
  { words: ['所属网格', '网格', '网格名称', '所在网格'], source: { orgUnit: 'grid' }, entities: ['resident', 'visit', 'business'] },
  { words: ['所属社区', '社区', '社区名称', '所在社区'], source: { orgUnit: 'community' }, entities: ['resident', 'visit', 'business'] },
  { words: ['家庭人口', '家庭人数', '户内人数', '同户人数', '家庭成员数', '户人口数'], source: { householdSize: true }, entities: ['resident'] },
  { words: ['最近走访日期', '最近一次走访日期', '最后走访日期', '最近走访时间'], source: { latest: 'visit', field: 'visitDate', format: 'yyyy-mm-dd' }, entities: ['resident'] },
];

/** Headers of a visit form's 人群类别 column (the key groups of visits.yaml on the visit's day). */
export const KEY_GROUP_WORDS = ['人群类别', '重点人群类别', '对象类别', '重点人群'];

/** The relations a built-in view follows that are not dictionary fields, by the words for them. */
export const RELATION_WORDS: Record<string, string[]> = {
  'visit.resident': ['被走访人', '走访对象', '被走访对象'],
  'visit.staff': ['走访人', '走访干部', '走访网格员'],
};

/** The field that names a related record (包联干部 → its name). */
export const NAMING_FIELD: Record<string, string> = { staff: 'staffName', resident: 'name', household: 'currentAddress' };

/** Summary counts by the words for them. */
export const SUMMARY_COUNTS: { words: string[]; source: Record<string, unknown> }[] = [
  { words: ['网格数', '网格个数', '网格数量'], source: { count: 'grid' } },
  { words: ['总户数', '户数', '住户数', '家庭户数'], source: { count: 'household' } },
  { words: ['总人口', '人口数', '总人数', '人口', '居民人数', '户籍人口'], source: { count: 'resident' } },
];

/** Headers of columns nobody fills from the ledger (a summary's 备注). */
export const REMARK_WORDS = ['备注', '说明', '备考'];

/** Words around a form's name or a count header that say nothing about whom it counts (stripped repeatedly). */
export const NAME_PREFIXES = ['各社区', '各网格', '本期', '其中', '全部', '辖区'];
export const NAME_SUFFIXES = ['基本信息台账', '信息台账', '信息登记表', '信息采集表', '登记台账', '记录表', '统计汇总表', '统计表', '汇总表', '花名册',
  '名册', '登记表', '台账', '情况', '表', '总数', '人数', '人次', '户数', '数'];

/** Words that say a boolean column's "yes" or "no" (已办理 / 未办理). */
export const YES_WORDS = /^(是|有|已.+)$/;
export const NO_WORDS = /^(否|无|没有|未.+)$/;

/** Type of a new field, guessed from its header (the first rule that matches). */
export const TYPE_RULES: [RegExp, FieldType][] = [
  [/^(是否|有无)|[？?]$/, 'boolean'],
  [/年月(?!日)|月份/, 'month'],
  [/日期|时间(?!长)/, 'date'],
  [/金额|[（(]元[)）]|元$|费用?$|收入|补贴标准/, 'decimal'],
  [/时长|小时|面积/, 'decimal'],
  [/人数|次数|个数|数量|人口|户数|岁|年限/, 'integer'],
];

/**
 * Words for a new field's English key, longest first when segmenting a header (是否签约家庭医生 → contract + family
 * doctor). A word missing here is left out of the key; the person naming the field may change it on the page.
 */
export const GLOSSARY: Record<string, string> = {
  家庭医生: 'familyDoctor', 家庭人口: 'householdSize', 养老保险: 'pensionInsurance', 医疗保险: 'medicalInsurance', 志愿服务: 'volunteerService',
  文化程度: 'education', 宗教信仰: 'religion', 慢性病: 'chronicDisease', 高血压: 'hypertension', 糖尿病: 'diabetes', 责任书: 'pledge',
  身份证: 'idCard', 证件号: 'certificateNumber', 证号: 'certificateNumber', 参保: 'insured', 保险: 'insurance', 签约: 'contract', 签订: 'signed',
  医生: 'doctor', 家庭: 'family', 人口: 'population', 志愿: 'volunteer', 服务: 'service', 时长: 'hours', 小时: 'hours', 日期: 'date',
  时间: 'date', 年月: 'month', 金额: 'amount', 人数: 'count', 次数: 'times', 名称: 'name', 姓名: 'name', 电话: 'phone', 号码: 'number',
  地址: 'address', 单位: 'unit', 类别: 'category', 类型: 'type', 等级: 'grade', 原因: 'reason', 方式: 'method', 状况: 'status', 情况: 'status',
  补贴: 'subsidy', 津贴: 'allowance', 救助: 'assistance', 残疾: 'disability', 老人: 'elderly', 老年: 'elderly', 儿童: 'child', 学校: 'school',
  就业: 'employment', 收入: 'income', 健康: 'health', 体检: 'checkup', 疫苗: 'vaccine', 接种: 'vaccination', 协议: 'agreement', 党员: 'partyMember',
  车辆: 'vehicle', 车牌: 'plate', 房屋: 'house', 面积: 'area', 租金: 'rent', 人员: 'person', 对象: 'recipient', 培训: 'training', 技能: 'skill',
  学历: 'education', 退休: 'retirement', 工作: 'work', 居住: 'residence', 特长: 'specialty', 兵役: 'militaryService', 监护: 'guardian',
  联系人: 'contact', 联系: 'contact', 照片: 'photo', 设备: 'device', 月: 'monthly', 年: 'year', 户: 'household', 证: 'certificate', 医: 'medical',
  低保: 'minimumLivingAllowance', 特困: 'extremePoverty', 养老: 'elderlyCare', 护理: 'care', 康复: 'rehabilitation', 药: 'medicine',
};
