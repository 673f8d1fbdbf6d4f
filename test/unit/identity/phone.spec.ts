import { normalizePhone, parsePhone } from '../../../src/identity/index.js';

const FORMAT_MESSAGE = '联系电话格式不正确：应为11位手机号码或带区号的固定电话';

function rejected(raw: string): string {
  const r = parsePhone(raw);
  if (r.ok) throw new Error(`expected "${raw}" to be rejected, got ${r.value}`);
  expect(r.code).toBe('PHONE_FORMAT');
  return r.message;
}

describe('normalizePhone', () => {
  it('strips whitespace and converts full-width digits and dashes', () => {
    expect(normalizePhone(' 138 0013\u30008000\t')).toBe('13800138000');
    expect(normalizePhone('０５７１－８８８８８８８８')).toBe('0571-88888888');
    expect(normalizePhone('0571—88888888')).toBe('0571-88888888');
  });
  it('drops +86 / 0086 only in front of a mobile number', () => {
    expect(normalizePhone('+8613800138000')).toBe('13800138000');
    expect(normalizePhone('+86 138 0013 8000')).toBe('13800138000');
    expect(normalizePhone('0086-13800138000')).toBe('13800138000');
    expect(normalizePhone('＋８６１３８００１３８０００')).toBe('13800138000');
    expect(normalizePhone('+86 10 62345678')).toBe('+861062345678');
  });
});

describe('parsePhone: mobile', () => {
  it('accepts 11-digit numbers starting 13..19', () => {
    for (const second of '3456789') {
      expect(parsePhone(`1${second}800138000`)).toEqual({ ok: true, value: `1${second}800138000`, kind: 'mobile' });
    }
  });
  it('accepts spaces, full-width digits and hyphen groups', () => {
    for (const raw of [' 138 0013 8000 ', '１３８００１３８０００', '138-0013-8000', '138－0013－8000']) {
      expect(parsePhone(raw)).toEqual({ ok: true, value: '13800138000', kind: 'mobile' });
    }
  });
  it('accepts +86 and 0086 prefixes', () => {
    for (const raw of ['+8613800138000', '+86 138 0013 8000', '+86-13800138000', '008613800138000', '0086 138-0013-8000']) {
      expect(parsePhone(raw)).toEqual({ ok: true, value: '13800138000', kind: 'mobile' });
    }
  });
  it('rejects a second digit of 0, 1 or 2', () => {
    expect(rejected('12345678901')).toBe(FORMAT_MESSAGE);
    expect(rejected('11800138000')).toBe(FORMAT_MESSAGE);
    expect(rejected('10800138000')).toBe(FORMAT_MESSAGE);
    expect(rejected('+8612345678901')).toBe(FORMAT_MESSAGE);
  });
  it('rejects too short, too long and badly hyphenated numbers', () => {
    expect(rejected('1380013800')).toBe(FORMAT_MESSAGE);
    expect(rejected('138001380000')).toBe(FORMAT_MESSAGE);
    expect(rejected('138')).toBe(FORMAT_MESSAGE);
    expect(rejected('138--0013-8000')).toBe(FORMAT_MESSAGE);
    expect(rejected('13800138000-')).toBe(FORMAT_MESSAGE);
    expect(rejected('+86')).toBe(FORMAT_MESSAGE);
  });
});

describe('parsePhone: landline', () => {
  it('accepts 3-digit area codes (01x/02x) with and without hyphen', () => {
    for (const raw of ['010-62345678', '01062345678', '010 6234 5678', '０１０－６２３４５６７８']) {
      expect(parsePhone(raw)).toEqual({ ok: true, value: '010-62345678', kind: 'landline' });
    }
    expect(parsePhone('023-6234567')).toEqual({ ok: true, value: '023-6234567', kind: 'landline' });
    expect(parsePhone('0236234567')).toEqual({ ok: true, value: '023-6234567', kind: 'landline' });
  });
  it('accepts 4-digit area codes with and without hyphen', () => {
    for (const raw of ['0571-88888888', '057188888888', '0571—88888888', '0571 8888 8888']) {
      expect(parsePhone(raw)).toEqual({ ok: true, value: '0571-88888888', kind: 'landline' });
    }
    expect(parsePhone('0911-2345678')).toEqual({ ok: true, value: '0911-2345678', kind: 'landline' });
    expect(parsePhone('09112345678')).toEqual({ ok: true, value: '0911-2345678', kind: 'landline' });
  });
  it('rejects a local number starting with 0 or 1', () => {
    expect(rejected('010-12345678')).toBe(FORMAT_MESSAGE);
    expect(rejected('010-02345678')).toBe(FORMAT_MESSAGE);
    expect(rejected('0571-18888888')).toBe(FORMAT_MESSAGE);
  });
  it('rejects local numbers of the wrong length', () => {
    expect(rejected('0571-888888')).toBe(FORMAT_MESSAGE);
    expect(rejected('0571-888888888')).toBe(FORMAT_MESSAGE);
    expect(rejected('0571888888888')).toBe(FORMAT_MESSAGE);
    expect(rejected('010-623456789')).toBe(FORMAT_MESSAGE);
  });
  it('rejects area codes of the wrong shape', () => {
    expect(rejected('0123-4567890')).toBe(FORMAT_MESSAGE); // 01x 只能是3位
    expect(rejected('057-88888888')).toBe(FORMAT_MESSAGE); // 05x 必须是4位
    expect(rejected('0010-62345678')).toBe(FORMAT_MESSAGE);
    expect(rejected('62345678')).toBe(FORMAT_MESSAGE); // 缺区号
    expect(rejected('+86-10-62345678')).toBe(FORMAT_MESSAGE);
  });
});

describe('parsePhone: garbage', () => {
  it('rejects numbers made of or containing letters', () => {
    expect(parsePhone('abcdefghijk')).toEqual({ ok: false, code: 'PHONE_FORMAT', message: FORMAT_MESSAGE });
    expect(rejected('1380013800a')).toBe(FORMAT_MESSAGE);
    expect(rejected('0571-8888888a')).toBe(FORMAT_MESSAGE);
    expect(rejected('一三八〇〇一三八〇〇〇')).toBe(FORMAT_MESSAGE);
  });
  it('rejects empty input', () => {
    expect(rejected('')).toBe('联系电话不能为空');
    expect(rejected(' \u3000 ')).toBe('联系电话不能为空');
  });
});
