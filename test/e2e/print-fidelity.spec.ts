import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { todayIso } from '../../src/identity/index.js';
import { binary } from '../support/http.js';
import { COMMUNITY, GRID, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => fs.existsSync(p));
const pdftotext = fs.existsSync('/usr/bin/pdftotext') ? '/usr/bin/pdftotext' : undefined;
// CI installs LibreOffice and poppler-utils (.ci/run); there a missing program is a failure, not a skip.
const describeWithLibreOffice = (soffice && pdftotext) || process.env.CI ? describe : describe.skip;

/**
 * The printed ledger is what the 民政局 reads: a long F01 (many rows, long addresses, phones in narrow columns)
 * exported, printed to PDF by LibreOffice and read back with pdftotext shows every address and every phone number
 * whole — body cells wrap, rows grow, numbers shrink to fit instead of being cut at the cell's edge.
 */
describeWithLibreOffice(`a long F01 printed by LibreOffice (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-print-'));
  const year = Number(todayIso().slice(0, 4));
  const people = Array.from({ length: 70 }, (_, i) => ({
    idNumber: idNumber('500106', `${year - 62 - (i % 30)}0${1 + (i % 9)}1${i % 10}`, 100 + i * 2),
    name: `老人${String(i).padStart(2, '0')}`,
    // Longer than the column is wide, several times over: the kind of address the ledger really holds.
    currentAddress: `重庆市沙坪坝区陈家桥街道桥北社区桥北路${i + 1}号幸福花园小区${(i % 9) + 1}栋${(i % 3) + 1}单元${1000 + i}室`,
    phone: `139${String(10000000 + i * 7919).padStart(8, '0')}`,
    emergencyContactName: `家属${i}`,
    emergencyContactPhone: `023${String(60000000 + i * 37).padStart(8, '0')}`,
  }));

  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
    for (const p of people) {
      const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }`, {
        // One says yes to 高龄津贴 and no to 低保; nobody says anything else.
        i: { ...p, gridCode: GRID, livingArrangement: '1', healthStatus: '1', emergencyContactRelation: '1', ...(p === people[0] ? { oldAgeAllowance: true, minimumLivingAllowance: false } : {}) },
      });
      expect(res.errors).toBeUndefined();
    }
  }, 180_000);
  afterAll(() => t.close());

  it('prints every address and every phone number whole', async () => {
    const res = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const file = path.join(dir, 'F01-long.xlsx');
    fs.writeFileSync(file, res.body);

    // The file itself says so: body text wraps in rows tall enough for it, numbers and phones shrink to fit.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    const ws = wb.worksheets[0];
    const first = (ws.getColumn(1).values as unknown[]).findIndex((v) => v === 1);
    const column = (header: string) => {
      for (let r = 1; r < first; r++) for (let c = 1; c <= ws.columnCount; c++) if (ws.getCell(r, c).value === header) return c;
      throw new Error(`no header ${header}`);
    };
    const body = ws.getRow(first);
    expect(body.getCell(column('现居住地址')).alignment).toMatchObject({ wrapText: true });
    expect(body.getCell(column('联系电话')).alignment).toMatchObject({ shrinkToFit: true });
    expect(body.height).toBeGreaterThan(15 * 2);

    execFileSync(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], { timeout: 180_000, stdio: 'ignore' });
    const lines = printedLines(path.join(dir, 'F01-long.pdf'));
    expect(new Set(lines.map((l) => l.page)).size).toBeGreaterThan(1);
    // What the ledger holds, read with SQL: the printed page must show exactly that (phones as stored, 023-…).
    const held: { current_address: string; phone: string; emergency_contact_phone: string; id_number: string }[] = await t.dataSource.query(
      `SELECT h.current_address, r.phone, r.emergency_contact_phone, r.id_number FROM residents r JOIN households h ON h.id = r.household_id WHERE r.grid_code = '${GRID}'`,
    );
    expect(held).toHaveLength(people.length);
    const missing = held.flatMap((p) => [p.current_address, p.phone, p.emergency_contact_phone, p.id_number].filter((s) => !printedWhole(lines, s)));
    expect(missing).toEqual([]);
    // 是/否 as recorded, once each; the 69 × 3 answers nobody gave print as nothing, not as 否.
    expect(lines.filter((l) => l.text === '是')).toHaveLength(1);
    expect(lines.filter((l) => l.text === '否')).toHaveLength(1);
    // The check can fail: a cut-off address (only its first printed line) is not found whole.
    expect(printedWhole(lines, `${held[0].current_address}X`)).toBe(false);
  }, 240_000);
});

interface PrintedLine {
  page: number;
  x: number;
  y: number;
  text: string;
}

/**
 * The text lines pdftotext finds on the pages, with where each starts: words on one baseline that touch are one line
 * (neighbouring cells are a padding apart, more than touching).
 */
function printedLines(pdf: string): PrintedLine[] {
  const html = execFileSync(pdftotext!, ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines: PrintedLine[] = [];
  html.split('<page ').slice(1).forEach((page, p) => {
    const words = [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
      .map((m) => ({ x0: Number(m[1]), y: Number(m[4]), x1: Number(m[3]), text: m[5].replace(/&amp;/g, '&') }))
      .sort((a, b) => a.x0 - b.x0);
    const open: (PrintedLine & { end: number })[] = [];
    for (const w of words) {
      const line = open.find((l) => Math.abs(l.y - w.y) < 1.5 && Math.abs(w.x0 - l.end) < 0.2);
      if (line) {
        line.text += w.text;
        line.end = w.x1;
      } else open.push({ page: p, x: w.x0, y: w.y, text: w.text, end: w.x1 });
    }
    lines.push(...open.map(({ page, x, y, text }) => ({ page, x, y, text })));
  });
  return lines;
}

/** Whether a text is printed whole: on one line, or wrapped over lines that start at the same left edge, one under another. */
function printedWhole(lines: PrintedLine[], target: string): boolean {
  return lines.some((first) => {
    if (!target.startsWith(first.text)) return false;
    let [text, y] = [first.text, first.y];
    while (text.length < target.length) {
      const next = lines
        .filter((l) => l.page === first.page && Math.abs(l.x - first.x) < 2 && l.y > y + 1 && l.y < y + 30 && target.startsWith(text + l.text))
        .sort((a, b) => a.y - b.y)[0];
      if (!next) break;
      [text, y] = [text + next.text, next.y];
    }
    return text === target;
  });
}
