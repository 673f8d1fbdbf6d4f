import type { Dictionary } from '../../../src/dictionary/dictionary.types.js';
import { reverseRow } from '../../../src/import/mapping/index.js';
import type { RawCell, ReadProblem, SourceRow } from '../../../src/import/reader/index.js';
import type { TemplateDef } from '../../../src/templates/template.types.js';
import { creditCode, idNumber } from '../../support/fixtures.js';
import { definitionsOnce } from './support/xlsx-files.js';

// Rows as people really type them (what the reader hands over), mapped back to canonical values.
const REF = '2026-11-25';
const MAN = idNumber('500106', '19440305', 11); // 82 on REF
const WOMAN = idNumber('500106', '19520917', 24);
const YOUNG = idNumber('500106', '19810101', 13); // 45 on REF

let dict: Dictionary;
const defs: Record<string, TemplateDef> = {};
beforeAll(async () => {
  const d = await definitionsOnce();
  dict = d.dictionary;
  for (const t of d.templates) defs[t.code] = t.def;
});

type Given = RawCell['value'] | { value: RawCell['value']; text: string };
/** A source row of form `code` from values by column key (text as the reader shows it). */
function row(code: string, given: Record<string, Given>, problems: ReadProblem[] = []): SourceRow {
  const cells: Record<string, RawCell> = {};
  defs[code].columns.forEach((c, i) => {
    const g = given[c.key] ?? null;
    const cell = g !== null && typeof g === 'object' && !(g instanceof Date) ? g : { value: g, text: g === null ? '' : g instanceof Date ? g.toISOString().slice(0, 10) : String(g).trim() };
    cells[c.key] = { ...cell, column: i + 1 };
  });
  return { row: 7, cells, problems };
}
const reverse = (code: string, r: SourceRow) => reverseRow(defs[code], dict, r, { referenceDate: REF });

describe('F01 as typed', () => {
  const typed = {
    rowNumber: 'x', name: '张大爷', gender: '男', birthDate: '1944年3月5日', age: '82岁',
    idNumber: ` ${MAN.slice(0, 6)} ${MAN.slice(6, 14)} ${MAN.slice(14)} `.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)),
    phone: '138-0013-8001', currentAddress: '桥北路１２号（东门）', healthStatus: ' 基本健康 ', emergencyContactName: '张小明', emergencyContactRelation: '子女',
    emergencyContactPhone: '023 6512 3456', oldAgeAllowance: '√', minimumLivingAllowance: '×', extremePovertySupport: 'N', latestVisitDate: '不记得', gridName: ' 第一网格 ', remarks: '',
  };

  test('full-width digits and spaces in the ID number, dashes in phones, √/×/N, code names, derived columns agreeing', () => {
    expect(reverse('F01', row('F01', typed))).toEqual({
      values: {
        name: '张大爷', idNumber: MAN, phone: '13800138001', currentAddress: '桥北路12号（东门）', healthStatus: '2', emergencyContactName: '张小明',
        emergencyContactRelation: '1', emergencyContactPhone: '023-65123456', oldAgeAllowance: true, minimumLivingAllowance: false, extremePovertySupport: false,
      },
      lookups: { gridName: '第一网格', related: {} },
      checks: [],
      errors: [],
    });
  });

  test('derived columns that contradict the ID number are checks, never values', () => {
    const r = reverse('F01', row('F01', { ...typed, gender: '女', birthDate: new Date('1944-03-06T00:00:00Z'), age: 80 }));
    expect(r.errors).toEqual([]);
    expect(r.values).not.toHaveProperty('gender');
    expect(r.values).not.toHaveProperty('birthDate');
    expect(r.checks).toEqual([
      expect.objectContaining({ key: 'gender', column: 3, code: 'CONTRADICTS_ID_NUMBER', message: expect.stringMatching(/^"性别"列：.*"男"/) }),
      expect.objectContaining({ key: 'birthDate', column: 4, code: 'CONTRADICTS_ID_NUMBER', message: expect.stringContaining('1944-03-05') }),
      expect.objectContaining({ key: 'age', column: 5, code: 'AGE_MISMATCH', message: expect.stringContaining('82 岁') }),
    ]);
  });

  test('a row the form itself would leave out (45 years old on the 60+ list) is a check', () => {
    const r = reverse('F01', row('F01', { ...typed, idNumber: YOUNG, gender: '男', birthDate: '1981-01-01', age: 45 }));
    expect(r.checks).toEqual([expect.objectContaining({ code: 'OUTSIDE_FORM', column: 6, key: 'idNumber', message: expect.stringContaining('60 岁及以上') })]);
  });

  test('what cannot be converted is an error naming the header, left out of values; the reader’s problems come along', () => {
    const problem = { row: 7, column: 6, code: 'ID_NUMBER_AS_NUMBER', message: '"公民身份号码"列：号码被 Excel 存成了数字…' };
    const r = reverse('F01', row('F01', {
      ...typed, idNumber: null, healthStatus: '很好', oldAgeAllowance: '也许',
      emergencyContactPhone: { value: 2365123456, text: '2365123456' },
    }, [problem]));
    expect(r.errors).toEqual([
      { column: 6, key: 'idNumber', code: 'ID_NUMBER_AS_NUMBER', message: problem.message },
      { column: 9, key: 'healthStatus', field: 'healthStatus', code: 'INVALID_CODE', message: expect.stringMatching(/^"健康状况"列："很好" 不是健康状况/) },
      { column: 12, key: 'emergencyContactPhone', field: 'emergencyContactPhone', code: 'PHONE_FORMAT', message: expect.stringContaining('"023') },
      { column: 13, key: 'oldAgeAllowance', field: 'oldAgeAllowance', code: 'INVALID_TYPE', message: expect.stringMatching(/^"享受待遇／高龄津贴"列/) },
    ]);
    for (const key of ['idNumber', 'healthStatus', 'emergencyContactPhone', 'oldAgeAllowance']) expect(r.values).not.toHaveProperty(key);
    expect(r.checks).toEqual([]); // nothing to check derived columns against
  });

  test('a blank cell gives no value at all (not null): keep or clear is the importer’s choice', () => {
    const r = reverse('F01', row('F01', { name: '张大爷', idNumber: MAN }));
    expect(r.values).toEqual({ name: '张大爷', idNumber: MAN });
    expect(r.lookups).toEqual({ related: {} });
  });
});

test('F02: 包联干部 and their phone are lookups; amounts and counts as typed', () => {
  const r = reverse('F02', row('F02', {
    name: '李婆婆', idNumber: WOMAN, maritalStatus: '丧偶', childrenCount: '0', supportMode: '分散供养', monthlySupportAmount: '1,200.50元',
    liaisonStaffName: '李升俊', liaisonStaffPhone: { value: 13800000002, text: '13800000002' }, currentAddress: '桥北路1号',
  }));
  expect(r.values).toEqual({ name: '李婆婆', idNumber: WOMAN, maritalStatus: '30', childrenCount: 0, supportMode: '2', monthlySupportAmount: 1200.5, currentAddress: '桥北路1号' });
  expect(r.lookups.related).toEqual({ liaisonStaff: { staffName: '李升俊', staffPhone: '13800000002' } });
  expect(r.checks).toEqual([]);
  const married = reverse('F02', row('F02', { name: '李婆婆', idNumber: WOMAN, maritalStatus: '已婚', childrenCount: 2 }));
  expect(married.checks.map((c) => [c.key, c.code])).toEqual([['maritalStatus', 'OUTSIDE_FORM'], ['childrenCount', 'OUTSIDE_FORM']]);
});

test('F05: 残疾人证号 is checked against ID + category + grade, never stored', () => {
  const base = { name: '李婆婆', idNumber: WOMAN, gender: '女', ethnicity: '土家', disabilityCategory: '肢体残疾', disabilityGrade: '二级', disabilityLivingSubsidy: '是', severeDisabilityCareSubsidy: '有' };
  const good = reverse('F05', row('F05', { ...base, disabilityCertificateNumber: `${WOMAN.toLowerCase()}42` }));
  expect(good.values).toEqual({ name: '李婆婆', idNumber: WOMAN, ethnicity: '15', disabilityCategory: '4', disabilityGrade: '2', disabilityLivingSubsidy: true, severeDisabilityCareSubsidy: true });
  expect(good.checks).toEqual([]);
  const bad = reverse('F05', row('F05', { ...base, disabilityCertificateNumber: `${WOMAN}41` }));
  expect(bad.checks).toEqual([expect.objectContaining({ key: 'disabilityCertificateNumber', code: 'CONCAT_MISMATCH', message: expect.stringContaining(`${WOMAN}42`) })]);
});

test('F06: months as the department writes them, and a number cell that lost a trailing zero', () => {
  const veteran = idNumber('500113', '19521230', 31);
  const r = reverse('F06', row('F06', {
    name: '王老兵', idNumber: veteran, birthDate: '1952.12', ethnicity: '汉族', politicalStatus: '中共党员', enlistmentDate: 1970.12, dischargeDate: '1976年3月',
    dischargeMethod: '复员', entitledGroup: '在乡复员军人',
  }));
  expect(r.values).toMatchObject({ enlistmentDate: '1970-12', dischargeDate: '1976-03', politicalStatus: '01', dischargeMethod: '3', entitledGroup: '3' });
  expect(r.checks).toEqual([]); // 1952.12 says the month only, and it agrees
  const lost = reverse('F06', row('F06', { name: '王老兵', idNumber: veteran, enlistmentDate: 1970.1 }));
  expect(lost.errors).toEqual([expect.objectContaining({ key: 'enlistmentDate', code: 'INVALID_DATE', message: expect.stringContaining('10 月') })]);
});

test('F07: a date serial in a General cell, slashes, the column’s own 是/否 words', () => {
  const r = reverse('F07', row('F07', { name: '赵流动', idNumber: idNumber('510104', '19900101', 13), arrivalDate: 45809, registeredOn: '2025/6/15', residencePermit: '已办理', dwellingType: '租赁房', landlordName: '钱房东' }));
  expect(r.values).toMatchObject({ arrivalDate: '2025-06-01', registeredOn: '2025-06-15', residencePermit: true, dwellingType: '2', landlordName: '钱房东' });
  expect(r.errors).toEqual([]);
});

test('F04: the visited person and the visitor are lookups; 人群类别 is ignored', () => {
  const r = reverse('F04', row('F04', { visitDate: '2026年11月3日', gridName: '第一网格', residentName: '张大爷', keyGroups: '独居老人、易走失人员', visitMethod: '入户', disposition: '已上报', visitorName: '夏雪' }));
  expect(r.values).toEqual({ visitDate: '2026-11-03', visitMethod: '1', disposition: '2' });
  expect(r.lookups).toEqual({ gridName: '第一网格', related: { resident: { name: '张大爷' }, staff: { staffName: '夏雪' } } });
});

test('F08: the operator’s ID number is the business’s operator; name and phone are lookups', () => {
  const operator = idNumber('500106', '19700101', 15);
  const code = creditCode('91500106MA5U7G3L1');
  const r = reverse('F08', row('F08', {
    businessName: '桥北小面馆', creditCode: ` ${code.toLowerCase().slice(0, 9)} ${code.toLowerCase().slice(9)}`, operatorName: '张小明', operatorIdNumber: `${operator.slice(0, 9)} ${operator.slice(9)}`,
    operatorPhone: '13800138001', businessCategory: '餐饮', operatingMode: '室内经营', employeeCount: '3人', frontDoorPledgeSigned: '未签订',
  }));
  expect(r.values).toEqual({ businessName: '桥北小面馆', creditCode: code, operator, businessCategory: '1', operatingMode: '1', employeeCount: 3, frontDoorPledgeSigned: false });
  expect(r.lookups.related).toEqual({ operator: { name: '张小明', phone: '13800138001' } });
});
