import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { drained, pendingBytes } from '../../../src/excel/stream-backpressure.js';

describe('backpressure for the exceljs streaming writer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-drain-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function write(rows: number, sheets: number, drain: boolean): Promise<{ file: string; maxPending: number }> {
    const file = path.join(dir, `${rows}-${sheets}-${drain}.xlsx`);
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
    let maxPending = 0;
    for (let s = 0; s < sheets; s++) {
      const ws = workbook.addWorksheet(`表${s + 1}`);
      for (let i = 0; i < rows; i++) {
        ws.addRow([i + 1, `居民${i}`, '110101195803150012', '重庆市沙坪坝区陈家桥街道桥北社区桥北路12号3栋2单元401', new Date(Date.UTC(1958, 2, 15))]).commit();
        if (drain && (i + 1) % 1000 === 0) {
          expect(await drained(workbook, { maxPendingBytes: 256 * 1024 })).toMatch(/below-limit|not-consumed/);
        }
        if ((i + 1) % 1000 === 0) maxPending = Math.max(maxPending, pendingBytes(workbook));
      }
      ws.commit();
    }
    await workbook.commit();
    return { file, maxPending };
  }

  it('keeps what waits for the zip deflater bounded while rows are written, and the file whole', async () => {
    const free = await write(20_000, 1, false);
    const bounded = await write(20_000, 1, true);
    // Without waiting, the whole sheet's XML piles up (megabytes); with it, the backlog stays near the bound.
    expect(free.maxPending).toBeGreaterThan(2 * 1024 * 1024);
    expect(bounded.maxPending).toBeLessThan(256 * 1024 + 128 * 1024);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(bounded.file);
    expect(wb.worksheets[0].rowCount).toBe(20_000);
    expect(wb.worksheets[0].getCell(20_000, 3).value).toBe('110101195803150012');
  });

  it('bounds several sheets written one after another', async () => {
    const { file, maxPending } = await write(8_000, 3, true);
    expect(maxPending).toBeLessThan(256 * 1024 + 128 * 1024);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.rowCount)).toEqual([8_000, 8_000, 8_000]);
  });

  it('returns at once for anything that is not a streaming workbook', async () => {
    expect(await drained(new ExcelJS.Workbook())).toBe('unsupported');
    expect(await drained(null)).toBe('unsupported');
    expect(pendingBytes({})).toBe(-1);
  });
});
