import { foldText, foldWidth, parseDate, parseDateParts, parseMonth, parseNumber, parseYesNo, resolveCode } from '../../../src/import/mapping/index.js';
import type { RawCell } from '../../../src/import/reader/index.js';
import { definitionsOnce } from './support/xlsx-files.js';

// Values as people type them into department ledgers.
const cell = (value: RawCell['value'], text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value ?? '').trim()): RawCell => ({ value, text, column: 1 });
const ok = <T>(value: T) => ({ ok: true, value });
const failed = (code: string) => expect.objectContaining({ ok: false, code, message: expect.any(String) });

describe('dates', () => {
  test.each([
    ['1958-03-05', '1958-03-05'],
    ['1958-3-5', '1958-03-05'],
    ['1958/3/5', '1958-03-05'],
    ['1958.03.05', '1958-03-05'],
    ['1958年3月5日', '1958-03-05'],
    ['1958 年 3 月 5 日', '1958-03-05'],
    ['１９５８年３月５日', '1958-03-05'],
    ['19580305', '1958-03-05'],
    ['1958-03-05 10:30', '1958-03-05'],
  ])('text %s is %s', (text, iso) => expect(parseDate(cell(text))).toEqual(ok(iso)));

  test('date cells, serial numbers in General cells, yyyymmdd typed as a number', () => {
    expect(parseDate(cell(new Date('1958-03-05T00:00:00Z')))).toEqual(ok('1958-03-05'));
    expect(parseDate(cell(21249))).toEqual(ok('1958-03-05'));
    expect(parseDate(cell(19580305))).toEqual(ok('1958-03-05'));
  });

  test.each([
    ['1958-02-30', 'INVALID_DATE'],
    ['1958.03', 'INVALID_DATE'], // a month where a day is needed
    ['1958', 'INVALID_DATE'],
    ['三月五日', 'INVALID_DATE'],
  ])('%s is refused for a date field', (text, code) => expect(parseDate(cell(text))).toEqual(failed(code)));

  test('month fields: yyyy.mm, yyyy年m月, 195803, a full date gives its month; a date cell formatted yyyy-mm', () => {
    expect(parseMonth(cell('1958.03'))).toEqual(ok('1958-03'));
    expect(parseMonth(cell('1958.3'))).toEqual(ok('1958-03'));
    expect(parseMonth(cell('1958年3月'))).toEqual(ok('1958-03'));
    expect(parseMonth(cell('1958-3'))).toEqual(ok('1958-03'));
    expect(parseMonth(cell(195803))).toEqual(ok('1958-03'));
    expect(parseMonth(cell('1958-03-05'))).toEqual(ok('1958-03'));
    expect(parseMonth(cell(new Date('1958-03-01T00:00:00Z'), '1958-03'))).toEqual(ok('1958-03'));
    expect(parseDateParts(cell(new Date('1958-03-01T00:00:00Z'), '1958-03'))).toEqual(ok({ year: 1958, month: 3 }));
    expect(parseMonth(cell('1958.13'))).toEqual(failed('INVALID_DATE'));
  });

  test('yyyy.mm typed into a number cell: 1958.03 and 1958.12 are clear, 1958.1 is January or October', () => {
    expect(parseMonth(cell(1958.03))).toEqual(ok('1958-03'));
    expect(parseMonth(cell(1958.3))).toEqual(ok('1958-03'));
    expect(parseMonth(cell(1958.12))).toEqual(ok('1958-12'));
    expect(parseMonth(cell(1958.1, '1958.10'))).toEqual(ok('1958-10')); // shown with two decimals
    expect(parseMonth(cell(1958.1))).toEqual(expect.objectContaining({ ok: false, message: expect.stringContaining('10 月') }));
  });
});

describe('是/否', () => {
  test.each(['是', '√', '✓', 'Y', 'y', 'YES', '有', 'TRUE', '1', ' 是 ', 'Ｙ'])('%s is yes', (t) => expect(parseYesNo(cell(t))).toEqual(ok(true)));
  test.each(['否', '×', 'N', 'no', '无', 'FALSE', '0', '没有'])('%s is no', (t) => expect(parseYesNo(cell(t))).toEqual(ok(false)));
  test('boolean cells, the column’s own words, and nonsense', () => {
    expect(parseYesNo(cell(true))).toEqual(ok(true));
    expect(parseYesNo(cell('已采集'), { yes: '已采集', no: '未采集' })).toEqual(ok(true));
    expect(parseYesNo(cell('未采集'), { yes: '已采集', no: '未采集' })).toEqual(ok(false));
    expect(parseYesNo(cell('也许'), { yes: '已办理', no: '未办理' })).toEqual(expect.objectContaining({ ok: false, message: expect.stringContaining('已办理/未办理') }));
  });
});

describe('numbers and text', () => {
  test('number cells and text with separators, units and full-width digits', () => {
    expect(parseNumber(cell(12.5))).toEqual(ok(12.5));
    expect(parseNumber(cell('1,200.50元'))).toEqual(ok(1200.5));
    expect(parseNumber(cell('１７０ cm'))).toEqual(ok(170));
    expect(parseNumber(cell('3人'))).toEqual(ok(3));
    expect(parseNumber(cell('约170'))).toEqual(failed('INVALID_TYPE'));
  });

  test('full-width folding: everything for codes and numbers, only digits, letters and spaces in free text', () => {
    expect(foldWidth('ＡＢ１２（３）－４')).toBe('AB12(3)-4');
    expect(foldText('桥北路１２号（东门），Ａ栋　３单元')).toBe('桥北路12号（东门），A栋 3单元');
  });
});

describe('codes', () => {
  test('by code, by name, folded, padded, and by an unambiguous longer or shorter name', async () => {
    const { dictionary } = await definitionsOnce();
    const list = (key: string) => dictionary.codeLists.get(key)!;
    expect(resolveCode(list('ethnic-group'), cell('汉族'))).toEqual(ok('01'));
    expect(resolveCode(list('ethnic-group'), cell(1))).toEqual(ok('01'));
    expect(resolveCode(list('ethnic-group'), cell('01'))).toEqual(ok('01'));
    expect(resolveCode(list('ethnic-group'), cell('汉'))).toEqual(ok('01'));
    expect(resolveCode(list('ethnic-group'), cell('土'))).toEqual(failed('INVALID_CODE')); // 土族 or 土家族
    expect(resolveCode(list('gender'), cell('男性'))).toEqual(ok('1'));
    expect(resolveCode(list('gender'), cell(' 女 '))).toEqual(ok('2'));
    expect(resolveCode(list('disability-category'), cell('肢体残疾'))).toEqual(ok('4'));
    expect(resolveCode(list('disability-grade'), cell('二级'))).toEqual(ok('2'));
    expect(resolveCode(list('political-status'), cell('中共'))).toEqual(failed('INVALID_CODE')); // 中共党员 or 中共预备党员
    expect(resolveCode(list('political-status'), cell('群众（非党员）'))).toEqual(ok('13'));
    expect(resolveCode(list('health-status'), cell('很好'))).toEqual(expect.objectContaining({ message: expect.stringContaining('健康、基本健康') }));
  });
});
