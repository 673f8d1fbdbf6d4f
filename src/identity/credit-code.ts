// GB 32100-2015 统一社会信用代码：规范化与校验。

export type CreditCodeErrorCode = 'CREDIT_CODE_FORMAT' | 'CREDIT_CODE_CHECKSUM';

export type CreditCodeResult =
  | { ok: true; value: string }
  | { ok: false; code: CreditCodeErrorCode; message: string };

// 31个字符，值0..30；不用 I、O、Z、S、V 以免与数字混淆
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
// Wi = 3^i mod 31
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const LENGTH = 18;

/** 去除所有空白，全角字符转半角，转大写。 */
export function normalizeCreditCode(raw: string): string {
  return raw
    .replace(/\s+/gu, '')
    // 全角 ASCII 区 U+FF01..U+FF5E 与半角相差 0xFEE0
    .replace(/[\uFF01-\uFF5E]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toUpperCase();
}

/** 由前17位计算第18位校验码。 */
export function creditCodeCheckCharacter(first17: string): string {
  if (first17.length !== LENGTH - 1) {
    throw new RangeError(`计算校验码需要17位字符，实为"${first17}"`);
  }
  let sum = 0;
  for (let i = 0; i < LENGTH - 1; i++) {
    const value = ALPHABET.indexOf(first17[i]);
    if (value < 0) throw new RangeError(`统一社会信用代码含有不允许的字符"${first17[i]}"`);
    sum += value * WEIGHTS[i];
  }
  // 31 − 余数，余数为0时得31，按规定记为0
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/** 解析并校验统一社会信用代码；成功时返回规范化后的18位代码。 */
export function parseCreditCode(raw: string): CreditCodeResult {
  const code = normalizeCreditCode(raw);
  const chars = [...code];
  if (chars.length === 0) {
    return { ok: false, code: 'CREDIT_CODE_FORMAT', message: '统一社会信用代码不能为空' };
  }
  if (chars.length !== LENGTH) {
    return {
      ok: false,
      code: 'CREDIT_CODE_FORMAT',
      message: `统一社会信用代码应为18位，实为${chars.length}位`,
    };
  }
  const bad = chars.find((c) => !ALPHABET.includes(c));
  if (bad !== undefined) {
    return {
      ok: false,
      code: 'CREDIT_CODE_FORMAT',
      message: `统一社会信用代码含有不允许的字符"${bad}"（只能使用数字和除I、O、Z、S、V以外的大写字母）`,
    };
  }
  const expected = creditCodeCheckCharacter(code.slice(0, LENGTH - 1));
  if (code[LENGTH - 1] !== expected) {
    return {
      ok: false,
      code: 'CREDIT_CODE_CHECKSUM',
      message: `统一社会信用代码校验位错误，应为"${expected}"`,
    };
  }
  return { ok: true, value: code };
}
