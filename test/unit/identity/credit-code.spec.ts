import {
  creditCodeCheckCharacter,
  normalizeCreditCode,
  parseCreditCode,
} from '../../../src/identity/index.js';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

// 独立参考算法：权重由 3^i mod 31 逐项推出，而非抄写表格
function refCheck(first17: string): string {
  let sum = 0;
  let weight = 1;
  for (const c of first17) {
    sum += ALPHABET.indexOf(c) * weight;
    weight = (weight * 3) % 31;
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const PUBLISHED = '91350100M000100Y43';

describe('creditCodeCheckCharacter', () => {
  it('matches the hand-computed sum for the published code 91350100M000100Y43', () => {
    // 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 × 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
    const sum = 9 * 1 + 1 * 3 + 3 * 9 + 5 * 27 + 0 * 19 + 1 * 26 + 0 * 16 + 0 * 17 + 21 * 20 + 0 * 29
      + 0 * 25 + 0 * 13 + 1 * 8 + 0 * 24 + 0 * 10 + 30 * 30 + 4 * 28;
    expect(sum).toBe(1640);
    expect(31 - (sum % 31)).toBe(3);
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
  });
  it('maps 31 to 0 when the sum is divisible by 31', () => {
    // 9×1+1×3+1×9+1×27+0×19+1×26+0×16+8×17+M(21)×20+A(10)×29+0×25+1×13+0×8+0×24+0×10+0×30+1×28
    const sum = 9 + 3 + 9 + 27 + 0 + 26 + 0 + 136 + 420 + 290 + 0 + 13 + 0 + 0 + 0 + 0 + 28;
    expect(sum).toBe(961);
    expect(sum % 31).toBe(0);
    expect(creditCodeCheckCharacter('91110108MA0100001')).toBe('0');
  });
  it('gives Y (value 30) when the remainder is 1', () => {
    // 与上例相比第16位 0→2、第17位 1→0：961 + 2×30 − 1×28 = 993 = 31×32 + 1
    expect(961 + 2 * 30 - 28).toBe(993);
    expect(creditCodeCheckCharacter('91110108MA0100020')).toBe('Y');
  });
  it('agrees with the independent reference on 2000 pseudo-random inputs and yields all 31 characters', () => {
    const rand = lcg(32100);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      let first17 = '';
      for (let j = 0; j < 17; j++) first17 += ALPHABET[Math.floor(rand() * 31)];
      const c = creditCodeCheckCharacter(first17);
      expect(c).toBe(refCheck(first17));
      seen.add(c);
    }
    expect(seen.size).toBe(31);
  });
  it('throws on wrong length or forbidden characters', () => {
    expect(() => creditCodeCheckCharacter('91350100M000100Y')).toThrow(RangeError);
    expect(() => creditCodeCheckCharacter(PUBLISHED)).toThrow(RangeError);
    expect(() => creditCodeCheckCharacter('91350100I000100Y4')).toThrow(RangeError);
  });
});

describe('normalizeCreditCode', () => {
  it('trims, strips whitespace, converts full-width and upper-cases', () => {
    expect(normalizeCreditCode(' 9135 0100\tm000\u3000100\u00A0y43 ')).toBe(PUBLISHED);
    expect(normalizeCreditCode('９１３５０１００Ｍ０００１００ｙ４３')).toBe(PUBLISHED);
    expect(normalizeCreditCode('')).toBe('');
  });
});

describe('parseCreditCode', () => {
  it('accepts the published code and other valid codes', () => {
    expect(parseCreditCode(PUBLISHED)).toEqual({ ok: true, value: PUBLISHED });
    expect(parseCreditCode('91110108MA01000010')).toEqual({ ok: true, value: '91110108MA01000010' });
    expect(parseCreditCode('91110108MA0100020Y')).toEqual({ ok: true, value: '91110108MA0100020Y' });
  });
  it('accepts lower case, full-width characters and whitespace, returning the normalized code', () => {
    expect(parseCreditCode('91350100m000100y43')).toEqual({ ok: true, value: PUBLISHED });
    expect(parseCreditCode(' ９１３５ ０１００ Ｍ０００ １００Ｙ ４３ ')).toEqual({ ok: true, value: PUBLISHED });
  });
  it('accepts generated codes whose check character comes from the reference', () => {
    const rand = lcg(7);
    for (let i = 0; i < 200; i++) {
      let first17 = '';
      for (let j = 0; j < 17; j++) first17 += ALPHABET[Math.floor(rand() * 31)];
      expect(parseCreditCode(first17 + refCheck(first17))).toEqual({ ok: true, value: first17 + refCheck(first17) });
    }
  });
  it('detects every single-character substitution as a checksum error', () => {
    let cases = 0;
    for (let pos = 0; pos < 18; pos++) {
      for (const c of ALPHABET) {
        if (c === PUBLISHED[pos]) continue;
        const corrupted = PUBLISHED.slice(0, pos) + c + PUBLISHED.slice(pos + 1);
        expect(parseCreditCode(corrupted)).toMatchObject({ ok: false, code: 'CREDIT_CODE_CHECKSUM' });
        cases++;
      }
    }
    expect(cases).toBe(18 * 30);
  });
  it('names the expected check character', () => {
    expect(parseCreditCode('91350100M000100Y44')).toEqual({
      ok: false,
      code: 'CREDIT_CODE_CHECKSUM',
      message: '统一社会信用代码校验位错误，应为"3"',
    });
    expect(parseCreditCode('91110108MA01000011')).toMatchObject({
      code: 'CREDIT_CODE_CHECKSUM',
      message: '统一社会信用代码校验位错误，应为"0"',
    });
  });
  it('rejects the forbidden letters I, O, Z, S, V as a format error', () => {
    for (const letter of ['I', 'O', 'Z', 'S', 'V', 'i', 'o', 'z', 's', 'v']) {
      const r = parseCreditCode(`91350100${letter}000100Y43`);
      expect(r).toMatchObject({ ok: false, code: 'CREDIT_CODE_FORMAT' });
      if (!r.ok) expect(r.message).toContain(`"${letter.toUpperCase()}"`);
    }
    // 出现在校验位上同样是格式错误
    expect(parseCreditCode('91350100M000100Y4O')).toMatchObject({ code: 'CREDIT_CODE_FORMAT' });
  });
  it('rejects punctuation and non-Latin characters as a format error', () => {
    expect(parseCreditCode('91350100-000100Y43')).toMatchObject({ code: 'CREDIT_CODE_FORMAT' });
    expect(parseCreditCode('91350100中000100Y43')).toMatchObject({ code: 'CREDIT_CODE_FORMAT' });
  });
  it('rejects wrong lengths and empty input', () => {
    expect(parseCreditCode('')).toEqual({ ok: false, code: 'CREDIT_CODE_FORMAT', message: '统一社会信用代码不能为空' });
    expect(parseCreditCode('   ')).toMatchObject({ code: 'CREDIT_CODE_FORMAT', message: '统一社会信用代码不能为空' });
    expect(parseCreditCode('91350100M000100Y4')).toEqual({
      ok: false,
      code: 'CREDIT_CODE_FORMAT',
      message: '统一社会信用代码应为18位，实为17位',
    });
    expect(parseCreditCode('91350100M000100Y430')).toMatchObject({ message: '统一社会信用代码应为18位，实为19位' });
    // 15位的旧工商注册号不是统一社会信用代码
    expect(parseCreditCode('350100100012345')).toMatchObject({ code: 'CREDIT_CODE_FORMAT' });
  });
});
