/**
 * The one masking rule, used by GraphQL, exports and logs alike: an ID number keeps its first 6 and last 4
 * characters, a phone number its first 3 and last 4. Pure.
 */
export type MaskKind = 'idNumber' | 'phone';

export function maskIdNumber(value: string): string {
  return value.length <= 10 ? '*'.repeat(value.length) : `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
}

export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 8) return '*'.repeat(value.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

export function maskValue(kind: MaskKind, value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return value;
  return kind === 'idNumber' ? maskIdNumber(value) : maskPhone(value);
}

// An 18-character ID number (15-digit old ones too), a mobile number, a landline with its area code: wherever
// they stand in free text, as long as they are not part of a longer run of digits.
const ID_IN_TEXT = /(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;
const MOBILE_IN_TEXT = /(?<!\d)(1[3-9]\d{9})(?!\d)/g;
const LANDLINE_IN_TEXT = /(?<!\d)(0\d{2,3}-?\d{7,8})(?!\d)/g;

/** Free text (log lines, error messages) with every ID and phone number in it masked. */
export function scrubText(text: string): string {
  return text.replace(ID_IN_TEXT, (m) => maskIdNumber(m)).replace(MOBILE_IN_TEXT, (m) => maskPhone(m)).replace(LANDLINE_IN_TEXT, (m) => maskPhone(m));
}

/** Any JSON-like value with every string in it scrubbed (audit filters, log details). */
export function scrubDeep(value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map(scrubDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)]));
  return value;
}
