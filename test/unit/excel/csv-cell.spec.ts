import { csvCell } from '../../../src/excel/csv.writer.js';

describe('csvCell: values that a spreadsheet would read as a formula stay text', () => {
  it('prefixes ASCII = + - @, tab and carriage return with an apostrophe', () => {
    for (const v of ['=1+1', '+86', '-2', '@SUM(A1)', '\tx']) expect(csvCell(v)).toMatch(/^"?'/);
  });
  it('prefixes full-width ＝＋－＠ the same way', () => {
    expect(csvCell('＝HYPERLINK("http://x")')).toBe(`"'＝HYPERLINK(""http://x"")"`);
    expect(csvCell('＋1')).toBe("'＋1");
    expect(csvCell('－1')).toBe("'－1");
    expect(csvCell('＠A1')).toBe("'＠A1");
  });
  it('leaves other text and numbers alone', () => {
    expect(csvCell('张三')).toBe('张三');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-3)).toBe('-3');
  });
});
