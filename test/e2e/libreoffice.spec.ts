import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { idCheckCharacter } from '../../src/identity/index.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => fs.existsSync(p));
const pdftotext = fs.existsSync('/usr/bin/pdftotext') ? '/usr/bin/pdftotext' : undefined;
// CI installs LibreOffice (.ci/run); there a missing soffice is a failure, not a skip.
const describeWithLibreOffice = soffice || process.env.CI ? describe : describe.skip;

describeWithLibreOffice(`an export read by LibreOffice, a second independent reader (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-lo-'));
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
  });
  afterAll(() => t.close());

  it.each(['F01', 'F05', 'F07', 'F08'])('keeps every ID number of %s intact when LibreOffice converts it to CSV', async (code) => {
    expect(soffice).toBeDefined();
    const res = await request(t.app.getHttpServer()).get(`/exports/${code}?orgUnit=500106108001`).set(t.auth).buffer(true).parse(binary);
    const file = path.join(dir, `${code}.xlsx`);
    fs.writeFileSync(file, res.body);
    execFileSync(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', dir, file], { timeout: 120_000, stdio: 'ignore' });
    const csv = fs.readFileSync(path.join(dir, `${code}.csv`), 'utf8');
    const view = (await t.gql(`{ formView(code: "${code}", orgUnit: "500106108001", first: 500) { rows } }`)).data.formView;
    const ids = view.rows.flatMap((row: unknown[]) => row.filter((v): v is string => typeof v === 'string' && /^\d{17}[\dX]$/.test(v)));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(csv).toContain(`,${id},`);
    expect(csv).not.toMatch(/E\+17/);
  });

  it('prints the header rows on every page of a long form', async () => {
    expect(pdftotext).toBeDefined();
    // 150 more floating residents in one community: more rows than one landscape A4 page holds.
    for (let i = 0; i < 150; i++) {
      const first17 = `110101199001${String(1 + (i % 28)).padStart(2, '0')}${String(100 + i).padStart(3, '0')}`;
      const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }`, {
        i: { idNumber: first17 + idCheckCharacter(first17), gridCode: '500106108001001', name: `流动${i}`, currentAddress: `桥北路${200 + i}号`, registrationType: '2' },
      });
      expect(res.errors).toBeUndefined();
    }
    const res = await request(t.app.getHttpServer()).get('/exports/F07?orgUnit=500106108001').set(t.auth).buffer(true).parse(binary);
    const file = path.join(dir, 'F07-long.xlsx');
    fs.writeFileSync(file, res.body);
    execFileSync(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], { timeout: 120_000, stdio: 'ignore' });
    const pages = execFileSync(pdftotext!, ['-layout', path.join(dir, 'F07-long.pdf'), '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page).toContain('公民身份号码');
      expect(page).toContain('来本地日期');
    }
  });

  it('prints a street export of the demo data: every community sheet and the summary, the header on every page', async () => {
    expect(pdftotext).toBeDefined();
    const res = await request(t.app.getHttpServer()).get('/exports/F07?orgUnit=500106108000').set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const file = path.join(dir, 'F07-street.xlsx');
    fs.writeFileSync(file, res.body);
    execFileSync(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], { timeout: 120_000, stdio: 'ignore' });
    const pages = execFileSync(pdftotext!, ['-layout', path.join(dir, 'F07-street.pdf'), '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
    const communities = (await t.gql('{ orgUnits(parentCode: "500106108000") { name } }')).data.orgUnits.map((u: { name: string }) => u.name);
    // Each community's sheet starts with its title; every page carries its sheet's header rows.
    for (const name of communities) expect(pages.some((p) => p.includes(`陈家桥街道${name}流动人口`))).toBe(true);
    expect(pages.length).toBeGreaterThan(communities.length);
    for (const page of pages) {
      const rowForm = page.includes('公民身份号码') && page.includes('来本地日期');
      const summary = page.includes('网格数') && page.includes('本期走访人次');
      expect(rowForm || summary).toBe(true);
      expect(page).not.toContain('###'); // no column too narrow for its dates or numbers
    }
    expect(pages.some((p) => p.includes('网格数'))).toBe(true);
  });

  it('prints V02 as its blank form says: portrait, the header, the 填报人 line and the 说明 under the last row', async () => {
    expect(pdftotext).toBeDefined();
    const res = await request(t.app.getHttpServer()).get('/exports/V02?orgUnit=500106108001').set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const file = path.join(dir, 'V02.xlsx');
    fs.writeFileSync(file, res.body);
    execFileSync(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], { timeout: 120_000, stdio: 'ignore' });
    const pdf = path.join(dir, 'V02.pdf');
    // A4 portrait: 595 × 842 points, taller than wide.
    const [, width, height] = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(execFileSync('/usr/bin/pdfinfo', [pdf], { encoding: 'utf8' }))!.map(Number);
    expect(height).toBeGreaterThan(width);
    const pages = execFileSync(pdftotext!, ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
    for (const page of pages) expect(page).toContain('身份证号码'); // the header repeats (print titles) when there are more pages
    const last = pages[pages.length - 1];
    expect(last).toMatch(/填报人：[\s\S]*负责人：/);
    expect(last).toContain('说明：1.本表由社区卫生服务中心按季度汇总报送。');
    expect(last.indexOf('填报人：')).toBeLessThan(last.indexOf('说明：'));
  });
});
