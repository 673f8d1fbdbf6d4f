import {
  idCheckCharacter,
  normalizeIdNumber,
  parseIdNumber,
  todayIso,
  upgradeIdNumber15,
  type IdNumberErrorCode,
  type ParsedIdNumber,
} from '../../../src/identity/index.js';

const TODAY = '2026-11-25';

// 独立的参考算法：Wi = 2^(17-i) mod 11，校验值 = (12 - Σ mod 11) mod 11，10 记为 X
function refCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const v = (12 - (sum % 11)) % 11;
  return v === 10 ? 'X' : String(v);
}
const withCheck = (first17: string): string => first17 + refCheck(first17);

function accept(raw: string, today = TODAY): ParsedIdNumber {
  const r = parseIdNumber(raw, today);
  if (!r.ok) throw new Error(`expected ok for "${raw}", got ${r.code}: ${r.message}`);
  return r.value;
}
function reject(raw: string, code: IdNumberErrorCode, today = TODAY): string {
  const r = parseIdNumber(raw, today);
  if (r.ok) throw new Error(`expected ${code} for "${raw}", got ok`);
  expect(r.code).toBe(code);
  return r.message;
}

// 确定性伪随机，便于复现
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
function randomDigits(rand: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(Math.floor(rand() * 10));
  return out;
}

describe('normalizeIdNumber', () => {
  it('strips ASCII spaces, tabs, U+3000 and NBSP anywhere, and trims', () => {
    expect(normalizeIdNumber(' 1101 0519\t4912\u30003100\u00A02X \n')).toBe('11010519491231002X');
  });
  it('converts full-width digits and full-width X/x', () => {
    expect(normalizeIdNumber('１１０１０５１９４９１２３１００２Ｘ')).toBe('11010519491231002X');
    expect(normalizeIdNumber('１１０１０５１９４９１２３１００２ｘ')).toBe('11010519491231002X');
  });
  it('upper-cases x but leaves other characters alone', () => {
    expect(normalizeIdNumber('11010519491231002x')).toBe('11010519491231002X');
    expect(normalizeIdNumber('ab-1')).toBe('ab-1');
    expect(normalizeIdNumber('')).toBe('');
  });
});

describe('idCheckCharacter', () => {
  it('matches a hand-computed weighted sum', () => {
    // 3×7+4×9+0×10+5×5+2×8+4×4+1×2+9×1+8×6+0×3+0×7+1×9+0×10+1×5+0×8+0×4+1×2
    const sum = 21 + 36 + 0 + 25 + 16 + 16 + 2 + 9 + 48 + 0 + 0 + 9 + 0 + 5 + 0 + 0 + 2;
    expect(sum).toBe(189);
    expect(sum % 11).toBe(2); // 下标2 → X
    expect(idCheckCharacter('34052419800101001')).toBe('X');
  });
  it('gives the check characters of the reference vectors', () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idCheckCharacter('44052418800101001')).toBe('4');
    expect(idCheckCharacter('11010520000229001')).toBe('3');
  });
  it('agrees with the independent reference on 2000 pseudo-random inputs and yields all 11 characters', () => {
    const rand = lcg(20261125);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const first17 = randomDigits(rand, 17);
      const c = idCheckCharacter(first17);
      expect(c).toBe(refCheck(first17));
      seen.add(c);
    }
    expect([...seen].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X']);
  });
  it('rejects input that is not exactly 17 digits', () => {
    expect(() => idCheckCharacter('1234567890123456')).toThrow(RangeError);
    expect(() => idCheckCharacter('110105194912310021')).toThrow(RangeError);
    expect(() => idCheckCharacter('1101051949123100X')).toThrow(RangeError);
  });
});

describe('upgradeIdNumber15', () => {
  it('inserts 19 before the year and appends a check character verified by hand', () => {
    const upgraded = upgradeIdNumber15('340524800101001');
    expect(upgraded).toHaveLength(18);
    expect(upgraded.slice(0, 17)).toBe('34052419800101001');
    // 3 4 0 5 2 4 1 9 8 0 0 1 0 1 0 0 1 × 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    const sum = 3 * 7 + 4 * 9 + 0 * 10 + 5 * 5 + 2 * 8 + 4 * 4 + 1 * 2 + 9 * 1 + 8 * 6 + 0 * 3 + 0 * 7
      + 1 * 9 + 0 * 10 + 1 * 5 + 0 * 8 + 0 * 4 + 1 * 2;
    expect(sum % 11).toBe(2);
    expect(upgraded[17]).toBe('10X98765432'[sum % 11]);
    expect(upgraded).toBe('34052419800101001X');
  });
  it('reproduces a known 18-digit number from its 15-digit form', () => {
    // 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 × 权重
    const sum = 1 * 7 + 1 * 9 + 0 * 10 + 1 * 5 + 0 * 8 + 5 * 4 + 1 * 2 + 9 * 1 + 4 * 6 + 9 * 3 + 1 * 7
      + 2 * 9 + 3 * 10 + 1 * 5 + 0 * 8 + 0 * 4 + 2 * 2;
    expect(sum).toBe(167);
    expect('10X98765432'[sum % 11]).toBe('X');
    expect(upgradeIdNumber15('110105491231002')).toBe('11010519491231002X');
  });
  it('throws on anything but 15 digits', () => {
    expect(() => upgradeIdNumber15('11010549123100')).toThrow(RangeError);
    expect(() => upgradeIdNumber15('1101054912310021')).toThrow(RangeError);
    expect(() => upgradeIdNumber15('11010549123100X')).toThrow(RangeError);
  });
});

describe('parseIdNumber: accepted numbers', () => {
  it('11010519491231002X → 1949-12-31, female', () => {
    expect(accept('11010519491231002X')).toEqual({
      idNumber: '11010519491231002X',
      divisionCode: '110105',
      birthDate: '1949-12-31',
      gender: '2',
      upgradedFrom15: false,
    });
  });
  it('440524188001010014 → 1880-01-01, male', () => {
    const v = accept('440524188001010014');
    expect(v.birthDate).toBe('1880-01-01');
    expect(v.gender).toBe('1');
    expect(v.divisionCode).toBe('440524');
  });
  it('110105200002290013 → 2000-02-29 (leap year)', () => {
    const v = accept('110105200002290013');
    expect(v.birthDate).toBe('2000-02-29');
    expect(v.gender).toBe('1');
  });
  it('accepts lower-case x, full-width characters and whitespace inside', () => {
    for (const raw of [
      '11010519491231002x',
      '１１０１０５１９４９１２３１００２Ｘ',
      '１１０１０５１９４９１２３１００２ｘ',
      ' 110105 19491231 002X ',
      '110105\u300019491231\u00A0002\tx',
    ]) {
      expect(accept(raw).idNumber).toBe('11010519491231002X');
    }
  });
  it('upgrades a 15-digit number and keeps the same birth date and gender', () => {
    const old = accept('110105491231002');
    expect(old).toEqual({ ...accept('11010519491231002X'), upgradedFrom15: true });
    const other = accept(' ３４０５２４８００１０１００１ ');
    expect(other.idNumber).toBe('34052419800101001X');
    expect(other.birthDate).toBe('1980-01-01');
    expect(other.gender).toBe('1');
    expect(other.upgradedFrom15).toBe(true);
    expect(accept('34052419800101001x').upgradedFrom15).toBe(false);
  });
  it('accepts every one of the 34 province-level codes', () => {
    const codes = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36',
      '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64',
      '65', '71', '81', '82'];
    expect(codes).toHaveLength(34);
    for (const p of codes) {
      expect(accept(withCheck(`${p}010219800101001`)).divisionCode).toBe(`${p}0102`);
    }
  });
  it('derives gender from the parity of the 17th digit', () => {
    for (let d = 0; d <= 9; d++) {
      expect(accept(withCheck(`1101051980010100${d}`)).gender).toBe(d % 2 === 1 ? '1' : '2');
    }
  });
  it('accepts a birth date equal to today and 1800-01-01', () => {
    expect(accept(withCheck('11010520261125001')).birthDate).toBe('2026-11-25');
    expect(accept(withCheck('11010518000101001')).birthDate).toBe('1800-01-01');
  });
  it('defaults today to the local date', () => {
    const now = new Date();
    const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    const compact = (iso: string) => iso.replaceAll('-', '');
    const bornToday = withCheck(`110105${compact(todayIso(now))}001`);
    const bornTomorrow = withCheck(`110105${compact(todayIso(tomorrow))}001`);
    expect(parseIdNumber(bornToday).ok).toBe(true);
    expect(parseIdNumber(bornTomorrow)).toMatchObject({ ok: false, code: 'ID_FUTURE_BIRTH' });
  });
});

describe('parseIdNumber: ID_FORMAT', () => {
  it('rejects empty and whitespace-only input', () => {
    expect(reject('', 'ID_FORMAT')).toBe('公民身份号码不能为空');
    expect(reject(' \u3000\t', 'ID_FORMAT')).toBe('公民身份号码不能为空');
  });
  it('reports the actual length for 17, 19 and other wrong lengths', () => {
    expect(reject('11010519491231002', 'ID_FORMAT')).toBe('公民身份号码应为18位（或15位旧号码），实为17位');
    expect(reject('11010519491231002X0', 'ID_FORMAT')).toBe('公民身份号码应为18位（或15位旧号码），实为19位');
    expect(reject('11010549123100', 'ID_FORMAT')).toContain('实为14位');
    expect(reject('1101054912310021', 'ID_FORMAT')).toContain('实为16位');
    expect(reject('１１０', 'ID_FORMAT')).toContain('实为3位');
    expect(reject('110105-19491231-002X', 'ID_FORMAT')).toContain('实为20位');
  });
  it('rejects letters inside an 18-character number', () => {
    expect(reject('11010519491231002A', 'ID_FORMAT')).toBe('公民身份号码前17位应为数字，最后一位应为数字或X');
    expect(reject('1101051949123100X2', 'ID_FORMAT')).toBe('公民身份号码前17位应为数字，最后一位应为数字或X');
    expect(reject('11O10519491231002X', 'ID_FORMAT')).toBe('公民身份号码前17位应为数字，最后一位应为数字或X');
  });
  it('rejects letters in a 15-character number, including a trailing X', () => {
    expect(reject('11010549123100X', 'ID_FORMAT')).toBe('15位旧公民身份号码应全部为数字');
    expect(reject('1101054912310a2', 'ID_FORMAT')).toBe('15位旧公民身份号码应全部为数字');
  });
  it('checks format before province', () => {
    expect(reject('9901051949123100', 'ID_FORMAT')).toContain('实为16位');
  });
});

describe('parseIdNumber: ID_PROVINCE', () => {
  it('rejects 990105194912310023 with the prefix in the message', () => {
    expect(reject('990105194912310023', 'ID_PROVINCE')).toBe(
      '公民身份号码前两位"99"不是有效的省级行政区划代码',
    );
  });
  it('rejects codes that are not province-level, even with a valid check character', () => {
    for (const p of ['00', '10', '16', '20', '24', '30', '38', '40', '47', '49', '55', '60', '66', '70', '72', '80', '84', '90']) {
      expect(reject(withCheck(`${p}010519491231002`), 'ID_PROVINCE')).toContain(`"${p}"`);
    }
  });
  it('accepts the residence permits of Hong Kong and Macao (81, 82) and Taiwan (83) residents, check digit as usual', () => {
    for (const p of ['81', '82', '83']) {
      const id = withCheck(`${p}000019850612002`);
      expect(accept(id).idNumber).toBe(id);
      const wrong = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
      expect(reject(wrong, 'ID_CHECKSUM')).toContain('校验位');
    }
  });
  it('rejects a 15-digit number with a bad province and checks province before the date', () => {
    expect(reject('990105491231002', 'ID_PROVINCE')).toContain('"99"');
    expect(reject(withCheck('99010519000229001'), 'ID_PROVINCE')).toContain('"99"');
  });
});

describe('parseIdNumber: ID_BIRTH_DATE', () => {
  it('rejects 1900-02-29 (1900 is not a leap year)', () => {
    expect(reject('110105190002290017', 'ID_BIRTH_DATE')).toBe('公民身份号码中的出生日期"19000229"不是有效日期');
  });
  it('rejects impossible dates even with a valid check character', () => {
    for (const date of ['19490230', '19491301', '19490001', '19490100', '19490431', '19490632', '20230229', '19000229']) {
      expect(reject(withCheck(`110105${date}001`), 'ID_BIRTH_DATE')).toBe(
        `公民身份号码中的出生日期"${date}"不是有效日期`,
      );
    }
  });
  it('rejects a year before 1800', () => {
    expect(reject(withCheck('11010517991231001'), 'ID_BIRTH_DATE')).toBe('公民身份号码中的出生日期"17991231"早于1800年');
    expect(reject(withCheck('11010500010101001'), 'ID_BIRTH_DATE')).toContain('早于1800年');
  });
  it('rejects an impossible date in a 15-digit number', () => {
    expect(reject('110105490230002', 'ID_BIRTH_DATE')).toContain('"19490230"');
  });
  it('checks the date before future and checksum', () => {
    // 2100 年不是闰年；该日期也在未来，但先报日期无效
    expect(reject(withCheck('11010521000229001'), 'ID_BIRTH_DATE')).toContain('"21000229"');
    expect(reject('110105190002290010', 'ID_BIRTH_DATE')).toContain('"19000229"');
  });
});

describe('parseIdNumber: ID_FUTURE_BIRTH', () => {
  it('rejects 110105209901010012', () => {
    expect(reject('110105209901010012', 'ID_FUTURE_BIRTH')).toBe('公民身份号码中的出生日期晚于今天');
  });
  it('rejects a birth date of tomorrow, across month and year ends', () => {
    reject(withCheck('11010520261126001'), 'ID_FUTURE_BIRTH');
    reject(withCheck('11010520261201001'), 'ID_FUTURE_BIRTH', '2026-11-30');
    reject(withCheck('11010520270101001'), 'ID_FUTURE_BIRTH', '2026-12-31');
    expect(accept(withCheck('11010520261231001'), '2026-12-31').birthDate).toBe('2026-12-31');
  });
  it('checks future birth before the checksum', () => {
    expect(refCheck('11010520990101001')).not.toBe('3');
    reject('110105209901010013', 'ID_FUTURE_BIRTH');
  });
  it('throws when today itself is not a valid YYYY-MM-DD date', () => {
    expect(() => parseIdNumber('11010519491231002X', '2026-02-30')).toThrow(RangeError);
    expect(() => parseIdNumber('11010519491231002X', '20261125')).toThrow(RangeError);
  });
});

describe('parseIdNumber: ID_CHECKSUM', () => {
  it('rejects 110105194912310021 and names the expected character', () => {
    expect(reject('110105194912310021', 'ID_CHECKSUM')).toBe('公民身份号码校验位错误，应为"X"');
  });
  it('rejects every wrong check character', () => {
    for (const c of '0123456789X') {
      const raw = `44052418800101001${c}`;
      if (c === '4') accept(raw);
      else expect(reject(raw, 'ID_CHECKSUM')).toBe('公民身份号码校验位错误，应为"4"');
    }
  });
  it('detects any single-digit change in the sequence code', () => {
    const valid = '11010519491231002X';
    for (let pos = 14; pos <= 16; pos++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[pos]) continue;
        const corrupted = valid.slice(0, pos) + String(d) + valid.slice(pos + 1);
        reject(corrupted, 'ID_CHECKSUM');
      }
    }
  });
  it('detects a transposition of adjacent digits', () => {
    reject('11010519491231020X', 'ID_CHECKSUM');
    reject('44052418800101010' + '4', 'ID_CHECKSUM');
  });
});
