import { ageOn, isRealDate, todayIso } from '../../../src/identity/index.js';

describe('isRealDate', () => {
  it('accepts real dates including leap days', () => {
    for (const d of ['2000-02-29', '2024-02-29', '1600-02-29', '2026-01-31', '2026-04-30', '2026-12-31', '1800-01-01']) {
      expect(isRealDate(d)).toBe(true);
    }
  });
  it('rejects impossible or malformed dates', () => {
    for (const d of ['1900-02-29', '2100-02-29', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10',
      '2026-01-00', '2026-01-32', '2026-1-05', '20260105', '', '2026-01-05T00:00', ' 2026-01-05', 'abcd-ef-gh']) {
      expect(isRealDate(d)).toBe(false);
    }
  });
  it('knows the last day of every month', () => {
    const last2023 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    last2023.forEach((days, i) => {
      const mm = String(i + 1).padStart(2, '0');
      expect(isRealDate(`2023-${mm}-${days}`)).toBe(true);
      expect(isRealDate(`2023-${mm}-${days + 1}`)).toBe(false);
    });
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2024-02-30')).toBe(false);
  });
});

describe('todayIso', () => {
  it('formats the local calendar date with zero padding', () => {
    expect(todayIso(new Date(2026, 0, 5, 0, 0, 0))).toBe('2026-01-05');
    expect(todayIso(new Date(2026, 10, 25, 23, 59, 59))).toBe('2026-11-25');
    const early = new Date(2026, 0, 1);
    early.setFullYear(987);
    expect(todayIso(early)).toBe('0987-01-01');
  });
  it('uses the local calendar fields, not the UTC ones', () => {
    // 北京时间 2026-11-25 00:30 = UTC 2026-11-24 16:30；本机时区可能就是UTC，故用替身对象区分两套字段
    const beijingHalfPastMidnight = {
      getFullYear: () => 2026,
      getMonth: () => 10,
      getDate: () => 25,
      getUTCFullYear: () => 2026,
      getUTCMonth: () => 10,
      getUTCDate: () => 24,
      toISOString: () => '2026-11-24T16:30:00.000Z',
      toJSON: () => '2026-11-24T16:30:00.000Z',
    } as unknown as Date;
    expect(todayIso(beijingHalfPastMidnight)).toBe('2026-11-25');
    expect(todayIso(new Date(2026, 10, 25, 0, 30))).toBe('2026-11-25');
    expect(todayIso(new Date(2026, 10, 25, 23, 30))).toBe('2026-11-25');
  });
  it('defaults to now', () => {
    const before = todayIso(new Date());
    const value = todayIso();
    const after = todayIso(new Date());
    expect([before, after]).toContain(value);
  });
});

describe('ageOn', () => {
  it('counts a birthday reached today, but not the day before', () => {
    expect(ageOn('1949-12-31', '2026-12-31')).toBe(77);
    expect(ageOn('1949-12-31', '2026-12-30')).toBe(76);
    expect(ageOn('1949-12-31', '2027-01-01')).toBe(77);
  });
  it('compares month before day', () => {
    expect(ageOn('1980-06-15', '2026-05-20')).toBe(45);
    expect(ageOn('1980-06-15', '2026-06-14')).toBe(45);
    expect(ageOn('1980-06-15', '2026-06-15')).toBe(46);
    expect(ageOn('1980-06-15', '2026-07-01')).toBe(46);
  });
  it('handles the first year of life', () => {
    expect(ageOn('2026-11-25', '2026-11-25')).toBe(0);
    expect(ageOn('2025-11-25', '2026-11-24')).toBe(0);
    expect(ageOn('2025-11-25', '2026-11-25')).toBe(1);
  });
  it('lets a 02-29 birth turn a year older on 03-01 of non-leap years', () => {
    expect(ageOn('2000-02-29', '2001-02-28')).toBe(0);
    expect(ageOn('2000-02-29', '2001-03-01')).toBe(1);
    expect(ageOn('2000-02-29', '2004-02-28')).toBe(3);
    expect(ageOn('2000-02-29', '2004-02-29')).toBe(4);
    expect(ageOn('2000-02-29', '2100-02-28')).toBe(99);
    expect(ageOn('2000-02-29', '2100-03-01')).toBe(100);
  });
  it('throws on invalid dates or a date before birth', () => {
    expect(() => ageOn('1900-02-29', '2026-01-01')).toThrow(RangeError);
    expect(() => ageOn('1949-12-31', '2026-02-29')).toThrow(RangeError);
    expect(() => ageOn('2026-11-25', '2026-11-24')).toThrow(RangeError);
  });
});
