import { linesIn } from '../../../src/excel/form-sheet.writer.js';

describe('linesIn: the lines a wrapped body cell needs (its row height)', () => {
  it('gives one line to what fits', () => {
    expect(linesIn('张德明', 9)).toBe(1);
    expect(linesIn('桥北路12号', 22)).toBe(1);
  });

  it('errs high for a long address: LibreOffice prints this one on 3 lines of a 22-wide column', () => {
    const address = '重庆市沙坪坝区陈家桥街道桥北社区桥北路30号幸福花园小区3栋3单元1029室';
    expect(linesIn(address, 22)).toBeGreaterThanOrEqual(3);
    expect(linesIn(address, 22)).toBeLessThanOrEqual(5);
    // A bigger font needs more lines in the same column.
    expect(linesIn(address, 22, 14)).toBeGreaterThan(linesIn(address, 22, 11));
  });

  it('counts the text’s own line breaks', () => {
    expect(linesIn('一\n二\n三', 22)).toBe(3);
  });
});
