import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

// The command-line export, compiled (npm test builds first): it reads the rows in a worker thread, which the
// TypeScript sources under jest cannot start, so this is also the test of that thread against the HTTP export.
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/src/cli/export.cli.js');
const run = promisify(execFile);

describe(`npm run export (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-export-cli-'));
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    const db = t.config.database;
    env = { ...process.env, SEED_DEMO: 'false', JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef', ...(db.kind === 'sqlite' ? { SQLITE_PATH: db.sqlitePath, DATABASE_URL: '' } : { DATABASE_URL: db.url }) };
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = async (load: (wb: ExcelJS.Workbook) => Promise<unknown>) => {
    const wb = new ExcelJS.Workbook();
    await load(wb);
    const ws = wb.worksheets[0];
    return Array.from({ length: ws.rowCount - 4 }, (_, i) => JSON.stringify(ws.getRow(5 + i).values));
  };

  it('writes the same file the HTTP export serves, with a progress bar, nothing under the real name until done', async () => {
    expect(fs.existsSync(CLI)).toBe(true);
    const out = path.join(dir, '桥北社区流动人口.xlsx');
    const { stdout, stderr } = await run(process.execPath, [CLI, '--form', 'F07', '--org', '500106108001', '--out', out], { env, cwd: ROOT });
    expect(stderr).toMatch(/导出 桥北社区.+\[█+\] 100\.0%/);
    expect(stdout).toMatch(/已写入 .+：\d+ 行/);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
    const served = await request(t.app.getHttpServer()).get('/exports/F07?orgUnit=500106108001').set(t.auth).buffer(true).parse(binary);
    const fromCli = await rowsOf((wb) => wb.xlsx.readFile(out));
    const fromHttp = await rowsOf((wb) => wb.xlsx.load(served.body));
    expect(fromCli.length).toBeGreaterThan(10);
    expect(fromCli).toEqual(fromHttp);
  });

  it('says in Chinese what is wrong with a bad request, and writes nothing', async () => {
    const out = path.join(dir, 'bad.xlsx');
    const failed = await run(process.execPath, [CLI, '--form', 'F99', '--org', '500106108001', '--out', out], { env, cwd: ROOT }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/错误：没有代码为 "F99" 的表单/);
    expect(fs.existsSync(out) || fs.existsSync(`${out}.partial`)).toBe(false);
  });

  it('npm run import: previews with a progress bar, writes the error report, commits when told to', async () => {
    const IMPORT = path.join(ROOT, 'dist/src/cli/import.cli.js');
    const served = await request(t.app.getHttpServer()).get('/exports/F05?orgUnit=500106108001').set(t.auth).buffer(true).parse(binary);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(served.body);
    wb.worksheets[0].getCell(5, 16).value = '命令行导入的备注';
    wb.worksheets[0].getCell(6, 5).value = '500106195712213530'; // a bad check character
    const file = path.join(dir, '残疾人台账.xlsx');
    await wb.xlsx.writeFile(file);
    const report = path.join(dir, '错误报告.xlsx');
    const preview = await run(process.execPath, [IMPORT, '--form', 'F05', '--org', '500106108001', file, '--errors', report], { env, cwd: ROOT });
    expect(preview.stderr).toMatch(/读取并核对 残疾人台账\.xlsx.+100\.0%/);
    expect(preview.stdout).toMatch(/补充 1，一致 \d+，冲突 0，错误 1/);
    expect(preview.stdout).toMatch(/第 6 行：.*校验/);
    expect(preview.stdout).not.toMatch(/500106195712213530/); // masked, as every log line
    expect(fs.existsSync(report)).toBe(true);
    const refused = await run(process.execPath, [IMPORT, '--form', 'F05', '--org', '500106108001', file, '--commit'], { env, cwd: ROOT }).catch((e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/还有 1 行有错误/);
    const done = await run(process.execPath, [IMPORT, '--form', 'F05', '--org', '500106108001', file, '--commit', '--valid-rows-only'], { env, cwd: ROOT });
    expect(done.stdout).toMatch(/已提交：写入 1 条记录/);
    const id = String(wb.worksheets[0].getCell(5, 5).value);
    expect((await t.gql(`{ resident(idNumber: "${id}") { remarks } }`)).data.resident.remarks).toBe('命令行导入的备注');
  });
});
