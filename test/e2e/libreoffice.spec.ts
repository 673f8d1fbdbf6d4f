import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => fs.existsSync(p));
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
    const res = await request(t.app.getHttpServer()).get(`/exports/${code}?orgUnit=500106108001`).buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
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
});
