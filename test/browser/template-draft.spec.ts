import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { parse } from 'yaml';
import { isPostgres } from '../support/test-app.js';
import { CHROMIUM, apiAs, DEMO_PASSWORD, launchBrowser, noSideways, startServer, type Server } from './browser-support.js';

// CI installs Chromium (.ci/run); there a missing browser is a failure, not a skip.
const describeInBrowser = fs.existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

const ROOT = path.resolve(import.meta.dirname, '../..');
const V02 = path.resolve(ROOT, '../shared/forms/varied/V02_elderly_health_management.xlsx');

/**
 * 新表单 in Chromium, as an administrator at a phone's 375 px: upload V02's blank form, see each column's header beside
 * the proposal, pick the runner-up for one column, name a new field for another, say which rows, check, save; the
 * files appear under TEMPLATES_DIR and the audit log has the save. No script or console error anywhere.
 */
describeInBrowser(`drafting a template on the page (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let server: Server;
  let browser: Browser;
  let dir: string;
  const contexts: BrowserContext[] = [];
  const browserErrors: string[] = [];

  beforeAll(async () => {
    // templates/ before V02 arrived: without the V forms and the family-doctor fields added for V02.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-templates-'));
    fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
    for (const code of ['V01', 'V02', 'V03']) for (const f of [`${code}.yaml`, `forms/${code}.xlsx`]) fs.rmSync(path.join(dir, f));
    const dictionary = fs.readFileSync(path.join(dir, 'dictionary.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'dictionary.yaml'), dictionary.replace(/\n {2}- \{ key: familyDoctorSigned[\s\S]*?家庭医生的姓名" \}/, ''));
    // One after the other: a server that fails to start must not leave a launched browser behind (jest would not exit).
    browser = await launchBrowser();
    server = await startServer({ TEMPLATES_DIR: dir });
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function phone(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => browserErrors.push(`页面脚本错误：${e.message}`));
    page.on('console', (m) => (m.type() === 'error' ? browserErrors.push(`控制台错误：${m.text()}`) : undefined));
    return page;
  }

  it('uploads, reviews, checks and saves; the files appear and the save is audited', async () => {
    const page = await phone();
    await page.goto(server.url);
    await page.locator('#login-username').fill('admin');
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('tab', { name: '新表单' }).click();
    await page.locator('#draft-file').setInputFiles(V02);
    await page.getByRole('button', { name: '起草' }).click();
    const columns = page.locator('.draft-column');
    await columns.first().waitFor();
    expect(await columns.count()).toBe(12);
    // The blank form's header beside each proposal.
    expect(await columns.nth(5).locator('.draft-header strong').textContent()).toBe('身份证号码');
    expect(await columns.nth(5).locator('select').first().locator('option:checked').textContent()).toContain('公民身份号码');

    // 手机号码: the runner-up instead of the proposal.
    const phoneSelect = columns.nth(10).locator('select').first();
    const runnerUp = (await phoneSelect.locator('option').nth(1).textContent())!;
    expect(runnerUp).toMatch(/^其次：/);
    await phoneSelect.selectOption({ index: 1 });
    // 签约医生: proposed as a new field; the administrator names it.
    const doctor = columns.nth(8);
    expect(await doctor.locator('select').first().inputValue()).toBe('new');
    await doctor.getByLabel('第 9 列新字段的英文键').fill('familyDoctorName');
    await doctor.getByLabel('第 9 列新字段的名称').fill('签约家庭医生姓名');

    // Without a department and rows the check says what is missing.
    await page.getByRole('button', { name: '检查' }).click();
    await page.locator('.draft-result .error-block').waitFor();
    expect(await page.locator('.draft-result').textContent()).toContain('rows.where');

    await page.getByLabel('部门（部门账号只看到写有本部门的表）').fill('社区卫生服务中心');
    await page.getByLabel('行条件：哪些记录进表（YAML 列表；全部进表写 []）').fill('- { age: { gte: 60 } }');
    await page.getByRole('button', { name: '检查' }).click();
    await page.locator('.draft-result .ok').waitFor();
    expect(fs.existsSync(path.join(dir, 'V02.yaml'))).toBe(false);
    expect(await noSideways(page)).toBe(true);

    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('.draft-result .saved').waitFor();
    const said = (await page.locator('.draft-result').textContent())!;
    expect(said).toContain('下次启动时');
    expect(said).toContain('familyDoctorName');

    // The files, as the page chose.
    expect(fs.readFileSync(path.join(dir, 'forms', 'V02.xlsx')).equals(fs.readFileSync(V02))).toBe(true);
    const template = parse(fs.readFileSync(path.join(dir, 'V02.yaml'), 'utf8'));
    expect(template).toMatchObject({ code: 'V02', department: '社区卫生服务中心', rows: { where: [{ age: { gte: 60 } }] } });
    expect(template.columns[8]).toEqual({ key: 'familyDoctorName', field: 'familyDoctorName' });
    expect(template.columns[10].related ?? template.columns[10].field).not.toBe('phone');
    expect(fs.readFileSync(path.join(dir, 'dictionary.yaml'), 'utf8')).toContain('key: familyDoctorName, label: 签约家庭医生姓名');

    // The audit line, read back by another session of the administrator.
    const admin = await apiAs(server.url, 'admin');
    const { auditLog } = await admin.gql('{ auditLog(action: "template_save") { username entity filter } }');
    expect(auditLog).toHaveLength(1);
    expect(auditLog[0]).toMatchObject({ username: 'admin', entity: 'template', filter: { code: 'V02', blankForm: createHash('sha256').update(fs.readFileSync(V02)).digest('hex') } });
    expect(browserErrors).toEqual([]);
  }, 120_000);
});
