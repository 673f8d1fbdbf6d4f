import { NAME_PREFIXES, NAME_SUFFIXES } from './draft-vocabulary.js';

/** A header as compared: no spaces, half-width brackets, no trailing colon or asterisk. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')').replace(/[：:*＊]+$/, '');
}

/** Longest common subsequence: 其他特征 and 其他体貌特征 share 4 characters in order. */
function lcs(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(prev[j], prev[j - 1]);
      diag = up;
    }
  }
  return prev[b.length];
}

/** 1 for the same wording; otherwise at most 0.9, by the characters they share in order (Dice over the LCS). */
export function similarity(a: string, b: string): number {
  const x = normalize(a);
  const y = normalize(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  return (0.9 * 2 * lcs(x, y)) / (x.length + y.length);
}

/** What a form name or a count header is about: 流动人口登记台账 → 流动人口, 本期走访人次 → 走访. */
export function coreName(text: string): string {
  let s = normalize(text).replace(/_+(街道|社区)/g, '').replace(/\(.*?\)/g, '');
  for (let changed = true; changed && s; ) {
    changed = false;
    for (const p of NAME_PREFIXES) if (s.startsWith(p) && s.length > p.length) (s = s.slice(p.length)), (changed = true);
    for (const x of NAME_SUFFIXES) if (s.endsWith(x) && s.length > x.length) (s = s.slice(0, -x.length)), (changed = true);
  }
  return s;
}

/** How well a count header names a form: the same core 1, one core inside the other 0.85–0.95, else similarity. */
export function formMatch(header: string, formName: string): number {
  const h = coreName(header);
  const f = coreName(formName);
  if (!h || !f) return 0;
  if (h === f) return 1;
  if (f.includes(h) || h.includes(f)) return 0.85 + (0.1 * Math.min(h.length, f.length)) / Math.max(h.length, f.length);
  return similarity(h, f);
}
