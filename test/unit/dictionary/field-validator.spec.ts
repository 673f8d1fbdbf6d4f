import path from 'node:path';
import { loadDictionary } from '../../../src/dictionary/dictionary.loader.js';
import { validateRecord, validateValue } from '../../../src/dictionary/field-validator.js';

const dict = loadDictionary(path.resolve(import.meta.dirname, '../../../templates'));
const TODAY = '2026-11-25';
const field = (key: string) => dict.byKey.get(key)!;
const value = (key: string, raw: unknown) => validateValue(dict, field(key), raw, TODAY);

describe('validateValue', () => {
  it('normalises values as people type them', () => {
    expect(value('idNumber', ' １１０１０５ １９４９１２３１００２ｘ ')).toEqual({ ok: true, value: '11010519491231002X' });
    expect(value('name', '  张三  ')).toEqual({ ok: true, value: '张三' });
    expect(value('name', '   ')).toEqual({ ok: true, value: null });
    expect(value('ethnicity', '汉族')).toEqual({ ok: true, value: '01' });
    expect(value('ethnicity', '01')).toEqual({ ok: true, value: '01' });
    expect(value('phone', '139 1234 5678')).toEqual({ ok: true, value: '13912345678' });
    expect(value('registeredOn', '2024年3月5日')).toEqual({ ok: true, value: '2024-03-05' });
    expect(value('registeredOn', '2024.3.5')).toEqual({ ok: true, value: '2024-03-05' });
    expect(value('enlistmentDate', '1968.03')).toEqual({ ok: true, value: '1968-03' });
    expect(value('enlistmentDate', '1968年3月')).toEqual({ ok: true, value: '1968-03' });
    expect(value('creditCode', '91350100m000100y43')).toEqual({ ok: true, value: '91350100M000100Y43' });
  });

  it.each([
    ['name', '张'.repeat(51), 'TOO_LONG'],
    ['name', '张\u0007三', 'INVALID_CHARACTER'],
    ['name', 12, 'INVALID_TYPE'],
    ['ethnicity', '57', 'INVALID_CODE'],
    ['phone', 'abcdefghijk', 'PHONE_FORMAT'],
    ['childrenCount', 1.5, 'NOT_INTEGER'],
    ['childrenCount', 31, 'OUT_OF_RANGE'],
    ['heightCm', 20, 'OUT_OF_RANGE'],
    ['monthlySupportAmount', 12.345, 'TOO_MANY_DECIMALS'],
    ['registeredOn', '2026-02-30', 'INVALID_DATE'],
    ['registeredOn', '2026-11-26', 'DATE_IN_FUTURE'],
    ['enlistmentDate', '1968-13', 'INVALID_DATE'],
    ['enlistmentDate', '2026-12', 'DATE_IN_FUTURE'],
    ['proneToWandering', '是', 'INVALID_TYPE'],
    ['creditCode', '91350100M000100Y44', 'CREDIT_CODE_CHECKSUM'],
    ['idNumber', '110105194912310021', 'ID_CHECKSUM'],
  ])('rejects %s = %j with %s and a Chinese message', (key, raw, code) => {
    const r = value(key, raw);
    expect(r).toMatchObject({ ok: false, code });
    expect(r.ok === false && r.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('validateRecord', () => {
  const base = { idNumber: '11010519491231002X', name: '赵桂兰', currentAddress: '桥北路1号' };
  const codes = (r: ReturnType<typeof validateRecord>) => r.errors.map((e) => `${e.path.join('.')}:${e.code}`);

  it('requires the required fields on create only', () => {
    expect(codes(validateRecord(dict, ['resident', 'household'], { idNumber: base.idNumber }, null, TODAY))).toEqual(['name:REQUIRED', 'currentAddress:REQUIRED']);
    expect(codes(validateRecord(dict, ['resident', 'household'], { phone: '13912345678' }, base, TODAY))).toEqual([]);
    expect(codes(validateRecord(dict, ['resident', 'household'], { name: null }, base, TODAY))).toEqual(['name:REQUIRED']);
  });

  it('derives birth date and sex from the ID number and accepts input that agrees', () => {
    const r = validateRecord(dict, ['resident', 'household'], { ...base, gender: '女', birthDate: '1949-12-31' }, null, TODAY);
    expect(r.errors).toEqual([]);
    expect(r.derived).toEqual({ gender: '2', birthDate: '1949-12-31' });
    expect(r.changes).not.toHaveProperty('gender');
  });

  it('rejects derived input that contradicts the ID number', () => {
    const r = validateRecord(dict, ['resident', 'household'], { ...base, gender: '1', birthDate: '1949-12-30' }, null, TODAY, ['input']);
    expect(codes(r)).toEqual(['input.gender:CONTRADICTS_ID_NUMBER', 'input.birthDate:CONTRADICTS_ID_NUMBER']);
  });

  it('judges rules between fields on the merged record', () => {
    const stored = { ...base, disabilityCategory: '4', disabilityGrade: '3' };
    expect(codes(validateRecord(dict, ['resident', 'household'], { severeDisabilityCareSubsidy: true }, stored, TODAY))).toEqual(['severeDisabilityCareSubsidy:NOT_APPLICABLE']);
    expect(codes(validateRecord(dict, ['resident', 'household'], { disabilityGrade: '2', severeDisabilityCareSubsidy: true }, stored, TODAY))).toEqual([]);
    expect(codes(validateRecord(dict, ['resident', 'household'], { severeDisabilityCareSubsidy: false }, stored, TODAY))).toEqual([]);
    // 退役时间 before 入伍时间 is a data-quality rule (templates/rules.yaml); notBefore stays for 注销日期.
    expect(codes(validateRecord(dict, ['resident', 'household'], { registeredOn: '2020-01-01', deregisteredOn: '2019-12-31' }, base, TODAY))).toEqual(['deregisteredOn:BEFORE_OTHER_FIELD']);
    expect(codes(validateRecord(dict, ['resident', 'household'], { dischargeDate: '1975-12' }, base, TODAY))).toEqual(['dischargeDate:NOT_APPLICABLE']);
    expect(codes(validateRecord(dict, ['resident', 'household'], { supportMode: '3', monthlySupportAmount: 500 }, base, TODAY))).toEqual(['monthlySupportAmount:NOT_APPLICABLE']);
  });

  it('explains a rule in words', () => {
    const r = validateRecord(dict, ['resident', 'household'], { dwellingType: '1', landlordName: '周' }, base, TODAY);
    expect(r.errors[0].message).toBe('房东姓名：仅在住所类型为租赁房时填写');
  });
});
