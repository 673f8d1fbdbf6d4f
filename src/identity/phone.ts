// 联系电话：11位手机号码或带区号的固定电话。

export type PhoneKind = 'mobile' | 'landline';

export type PhoneResult =
  | { ok: true; value: string; kind: PhoneKind }
  | { ok: false; code: 'PHONE_FORMAT'; message: string };

const FORMAT_MESSAGE = '联系电话格式不正确：应为11位手机号码或带区号的固定电话';

const MOBILE = /^1[3-9]\d{9}$/;
// 01x/02x 区号连0共3位，其余连0共4位；本地号码首位不为0或1
const LANDLINE_SHORT_AREA = /^(0[12]\d)-?([2-9]\d{6,7})$/;
const LANDLINE_LONG_AREA = /^(0[3-9]\d{2})-?([2-9]\d{6,7})$/;

/** 去除空白，全角数字与全角连字符/破折号转半角，手机号码前的 +86 / 0086 去掉。 */
export function normalizePhone(raw: string): string {
  const s = raw
    .replace(/\s+/gu, '')
    .replace(/[０-９]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/＋/gu, '+')
    // 全角连字符、破折号及其他常见横线一律视为 "-"
    .replace(/[－—–‐‑―]/gu, '-');
  const prefixed = /^(?:\+86|0086)-?(.*)$/u.exec(s);
  // 只对手机号码去掉国家代码；固定电话的国际写法会去掉区号的0，不在此还原
  if (prefixed && /^1\d{10}$/.test(prefixed[1].replace(/-/gu, ''))) {
    return prefixed[1];
  }
  return s;
}

/** 解析联系电话。手机号码返回11位数字，固定电话返回"区号-号码"。 */
export function parsePhone(raw: string): PhoneResult {
  const s = normalizePhone(raw);
  if (s.length === 0) return { ok: false, code: 'PHONE_FORMAT', message: '联系电话不能为空' };

  // 手机号码常写作 138-0013-8000，去掉横线再判断；固定电话都以0开头，不会混淆
  if (s.startsWith('1')) {
    const digits = s.replace(/-/gu, '');
    if (!/^\d+(?:-\d+)*$/.test(s) || !MOBILE.test(digits)) {
      return { ok: false, code: 'PHONE_FORMAT', message: FORMAT_MESSAGE };
    }
    return { ok: true, value: digits, kind: 'mobile' };
  }

  const landline = LANDLINE_SHORT_AREA.exec(s) ?? LANDLINE_LONG_AREA.exec(s);
  if (landline) {
    return { ok: true, value: `${landline[1]}-${landline[2]}`, kind: 'landline' };
  }
  return { ok: false, code: 'PHONE_FORMAT', message: FORMAT_MESSAGE };
}
