import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOptionsFor, reverseRow } from '../../../src/import/mapping/index.js';
import { readLedgerFile } from '../../../src/import/reader/index.js';
import { idNumber } from '../../support/fixtures.js';
import { exportLedger, type LedgerRecord } from './support/exported-ledger.js';
import { definitionsOnce } from './support/xlsx-files.js';

// A ledger as an office suite saves it (shared strings, its own styles and number formats, no inline strings),
// and the same ledger saved as .xls. Skipped where LibreOffice is not installed, as in test/e2e/libreoffice.
const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => fs.existsSync(p));
const describeWithLibreOffice = soffice || process.env.CI ? describe : describe.skip;
const REF = '2026-11-25';

describeWithLibreOffice('an F07 ledger re-saved by LibreOffice', () => {
  let dir: string;
  beforeAll(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-import-lo-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads back the same canonical values; its .xls is refused with a way out', async () => {
    const { dictionary: dict, templates } = await definitionsOnce();
    const def = templates.find((t) => t.code === 'F07')!.def;
    const records: LedgerRecord[] = Array.from({ length: 5 }, (_, i) => ({
      fields: {
        idNumber: idNumber('510104', `1990010${i + 1}`, 13 + i), name: `流动${i}`, hukouAddress: '四川省成都市', currentAddress: `桥北路${i}号`, arrivalDate: `2025-06-0${i + 1}`,
        residenceReason: '1', residencePermit: i % 2 === 0, dwellingType: '2', landlordName: '钱房东', landlordPhone: '023-65123456', phone: '13800138005', registeredOn: '2025-06-15',
      },
      gridName: '第一网格',
    }));
    const file = path.join(dir, 'F07.xlsx');
    fs.writeFileSync(file, await exportLedger(def, dict, records, REF));
    const out = path.join(dir, 'out');
    for (const format of ['xlsx:Calc MS Excel 2007 XML', 'xls']) {
      execFileSync(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', format, '--outdir', out, file], { timeout: 120_000, stdio: 'ignore' });
    }
    const opts = readOptionsFor(def, dict);
    const original = await readLedgerFile(fs.readFileSync(file), def.columns, opts);
    const resaved = await readLedgerFile(fs.readFileSync(path.join(out, 'F07.xlsx')), def.columns, opts);
    const values = (rows: typeof original.rows) => rows.map((r) => reverseRow(def, dict, r, { referenceDate: REF }));
    expect(resaved.rows).toHaveLength(5);
    expect(values(resaved.rows)).toEqual(values(original.rows));
    expect(values(resaved.rows).flatMap((r) => [...r.errors, ...r.checks])).toEqual([]);
    await expect(readLedgerFile(fs.readFileSync(path.join(out, 'F07.xls')), def.columns)).rejects.toMatchObject({ code: 'XLS_NOT_SUPPORTED' });
  });
});
