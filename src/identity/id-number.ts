// GB 11643-1999 公民身份号码：规范化、15位升级、校验与解析。纯函数，无外部依赖。

export type IdNumberErrorCode =
  | 'ID_FORMAT'
  | 'ID_PROVINCE'
  | 'ID_BIRTH_DATE'
  | 'ID_FUTURE_BIRTH'
  | 'ID_CHECKSUM';

export interface ParsedIdNumber {
  /** 规范化后的18位号码 */
  idNumber: string;
  /** 前6位行政区划代码 */
  divisionCode: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** GB/T 2261.1：顺序码为奇数 = 1 男，偶数 = 2 女 */
  gender: '1' | '2';
  upgradedFrom15: boolean;
}

export type IdNumberResult =
  | { ok: true; value: ParsedIdNumber }
  | { ok: false; code: IdNumberErrorCode; message: string };

// 加权因子 Wi = 2^(17-i) mod 11
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
// 以 Σ mod 11 为下标取校验码
const ID_CHECK_CHARS = '10X98765432';

// GB/T 2260 的34个省级行政区划代码（含港澳台），另加居住证号码的前缀：
// 港澳居民居住证 81（香港）、82（澳门），台湾居民居住证 83（GB 11643 的号码规则，校验位照常）
const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

const MIN_BIRTH_YEAR = 1800;

/** 去除所有空白（含全角空格、不换行空格），全角数字与全角X转半角，x转大写。 */
export function normalizeIdNumber(raw: string): string {
  return raw
    // JS 的 \s 已覆盖制表符、U+3000、U+00A0、U+FEFF 等
    .replace(/\s+/gu, '')
    .replace(/[０-９]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[xＸｘ]/gu, 'X');
}

/** 由前17位数字计算第18位校验码。 */
export function idCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new RangeError(`计算校验码需要17位数字，实为"${first17}"`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * ID_WEIGHTS[i];
  }
  return ID_CHECK_CHARS[sum % 11];
}

/** 15位旧号码（6位区划 + yymmdd + 3位顺序码）升级为18位：年份前补"19"，末尾补校验码。 */
export function upgradeIdNumber15(id15: string): string {
  if (!/^\d{15}$/.test(id15)) {
    throw new RangeError(`15位旧公民身份号码应为15位数字，实为"${id15}"`);
  }
  // 15位号码只发放给1900年代出生的人，故世纪固定为19
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return first17 + idCheckCharacter(first17);
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Read in place, without a regex: every row of a form's page checks the birth date its ID number holds.
function splitIso(iso: string): [number, number, number] | null {
  if (iso.length !== 10 || iso[4] !== '-' || iso[7] !== '-') return null;
  const parts: [number, number, number] = [digits(iso, 0, 4), digits(iso, 5, 2), digits(iso, 8, 2)];
  return parts.includes(-1) ? null : parts;
}

/** The number the ASCII digits at [start, start + length) spell; -1 if one of them is not a digit. */
function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** YYYY-MM-DD 是否为公历中真实存在的日期。 */
export function isRealDate(iso: string): boolean {
  const parts = splitIso(iso);
  if (!parts) return false;
  const [year, month, day] = parts;
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** 本地日历（而非UTC）的当天日期，YYYY-MM-DD。 */
export function todayIso(now: Date = new Date()): string {
  const y = String(now.getFullYear()).padStart(4, '0');
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** 在 on 这一天的周岁。2月29日出生者在平年的3月1日长一岁。 */
export function ageOn(birthDate: string, on: string): number {
  const birth = splitIso(birthDate);
  const day = splitIso(on);
  if (!birth || !isRealDate(birthDate)) throw new RangeError(`出生日期"${birthDate}"不是有效日期`);
  if (!day || !isRealDate(on)) throw new RangeError(`日期"${on}"不是有效日期`);
  // 固定宽度的 YYYY-MM-DD 可按字符串比较先后
  if (on < birthDate) throw new RangeError(`日期"${on}"早于出生日期"${birthDate}"`);
  const [by, bm, bd] = birth;
  const [y, m, d] = day;
  const birthdayReached = m > bm || (m === bm && d >= bd);
  return y - by - (birthdayReached ? 0 : 1);
}

function fail(code: IdNumberErrorCode, message: string): IdNumberResult {
  return { ok: false, code, message };
}

/** 解析并校验公民身份号码。today 为 YYYY-MM-DD，默认取本地当天。 */
export function parseIdNumber(raw: string, today: string = todayIso()): IdNumberResult {
  if (!isRealDate(today)) {
    throw new RangeError(`today 应为 YYYY-MM-DD 格式的有效日期，实为"${today}"`);
  }
  const id = normalizeIdNumber(raw);
  // 按码点计数，避免代理对把长度算多
  const length = [...id].length;
  if (length === 0) return fail('ID_FORMAT', '公民身份号码不能为空');
  if (length !== 18 && length !== 15) {
    return fail('ID_FORMAT', `公民身份号码应为18位（或15位旧号码），实为${length}位`);
  }

  let idNumber: string;
  const upgradedFrom15 = length === 15;
  if (upgradedFrom15) {
    if (!/^\d{15}$/.test(id)) return fail('ID_FORMAT', '15位旧公民身份号码应全部为数字');
    idNumber = upgradeIdNumber15(id);
  } else {
    if (!/^\d{17}[\dX]$/.test(id)) {
      return fail('ID_FORMAT', '公民身份号码前17位应为数字，最后一位应为数字或X');
    }
    idNumber = id;
  }

  const province = idNumber.slice(0, 2);
  if (!PROVINCE_CODES.has(province)) {
    return fail('ID_PROVINCE', `公民身份号码前两位"${province}"不是有效的省级行政区划代码`);
  }

  const compact = idNumber.slice(6, 14);
  const birthDate = `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
  if (!isRealDate(birthDate)) {
    return fail('ID_BIRTH_DATE', `公民身份号码中的出生日期"${compact}"不是有效日期`);
  }
  if (Number(compact.slice(0, 4)) < MIN_BIRTH_YEAR) {
    return fail('ID_BIRTH_DATE', `公民身份号码中的出生日期"${compact}"早于${MIN_BIRTH_YEAR}年`);
  }
  if (birthDate > today) {
    return fail('ID_FUTURE_BIRTH', '公民身份号码中的出生日期晚于今天');
  }

  const expected = idCheckCharacter(idNumber.slice(0, 17));
  if (idNumber[17] !== expected) {
    return fail('ID_CHECKSUM', `公民身份号码校验位错误，应为"${expected}"`);
  }

  return {
    ok: true,
    value: {
      idNumber,
      divisionCode: idNumber.slice(0, 6),
      birthDate,
      gender: Number(idNumber[16]) % 2 === 1 ? '1' : '2',
      upgradedFrom15,
    },
  };
}
