import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { isPostgres } from '../support/test-app.js';
import { CHROMIUM, type Api, apiAs, DEMO_PASSWORD, downloadWorkbook, launchBrowser, noSideways, startServer, type Server } from './browser-support.js';

// CI installs Chromium (.ci/run); there a missing browser is a failure, not a skip.
const describeInBrowser = fs.existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

/** Screenshots go to docs/screenshots/ when asked for (UPDATE_SCREENSHOTS=1), to a temporary folder otherwise. */
const shots = process.env.UPDATE_SCREENSHOTS ? path.resolve(import.meta.dirname, '../../docs/screenshots') : fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-shots-'));
const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: path.join(shots, name), fullPage });

const COMMUNITY = '500106108001'; // 桥北社区 (qiaobei)
const STREET = '500106108000'; // 陈家桥街道 (chenjiaqiao)
const REASON = '第 3 行联系电话有误，请核对后重新报送';

/** Last month as yyyy-mm, in this machine's time zone like the page's default period. */
function lastMonth(): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}


/** Every text cell of a workbook. */
const texts = (book: ExcelJS.Workbook) => book.worksheets.flatMap((s) => s.getSheetValues().flat().filter((v): v is string => typeof v === 'string'));

describeInBrowser(`the reporting cycle in a real browser (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let community: Page;
  let street: Page;
  let department: Page;
  let api: Api;
  const period = lastMonth();
  const browserErrors: string[] = [];
  /** The Idempotency-Key of every reporting step the pages sent, by mutation. */
  const keys: Record<string, (string | undefined)[]> = { submitReport: [], approveReport: [], returnReport: [] };

  /** A desk-sized window of its own (its own sessionStorage: its own login) whose script errors and console errors are kept. */
  async function windowFor(width = 1280, height = 900): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', acceptDownloads: true, isMobile: width < 500, hasTouch: width < 500 });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => browserErrors.push(`页面脚本错误：${e.message}`));
    page.on('console', (m) => (m.type() === 'error' ? browserErrors.push(`控制台错误：${m.text()}`) : undefined));
    page.on('request', (r) => {
      const op = Object.keys(keys).find((name) => r.postData()?.includes(`${name}(`));
      if (op && r.url().endsWith('/graphql')) keys[op].push(r.headers()['idempotency-key']);
    });
    return page;
  }

  /** Logs in through the page's form and waits for the tabs every reporting role has. */
  async function login(page: Page, username: string) {
    await page.goto(server.url);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('tablist').waitFor();
  }

  /** Opens a tab and waits until its period is loaded. */
  async function openTab(page: Page, name: string) {
    await page.getByRole('tab', { name }).click(); // the view is aria-busy from the click until its period is on screen
    await page.waitForFunction("!document.querySelector('[role=tabpanel]:not([hidden]) [aria-busy]')");
  }

  /** 桥北社区's F01 in a view (scope: the view's class; the community's own list has no other community), in a state if given. */
  const f01Item = (page: Page, scope = '', status = '') =>
    page.locator(`${scope} li.report-item[data-code="F01"]${scope ? `[data-org="${COMMUNITY}"]` : ''}${status ? `[data-status="${status}"]` : ''}`.trim());
  const apiStatus = async () => (await api.gql(`{ reports(orgUnit: "${COMMUNITY}", period: "${period}") { code status returnReason } }`)).reports.find((r: any) => r.code === 'F01');

  beforeAll(async () => {
    fs.mkdirSync(shots, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    community = await windowFor();
    street = await windowFor();
    department = await windowFor();
    api = await apiAs(server.url, 'chenjiaqiao');
  }, 90_000);

  afterEach(() => {
    // A script error or a console error on any page fails the step that caused it.
    expect(browserErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
    if (!process.env.UPDATE_SCREENSHOTS) fs.rmSync(shots, { recursive: true, force: true });
  });

  it('a community sees last month\'s forms as 待报, previews F01 and submits it after confirming', async () => {
    await login(community, 'qiaobei');
    await openTab(community, '本期报表');
    await expect(community.locator('#report-period').inputValue()).resolves.toBe(period);
    const item = f01Item(community);
    await expect(item.getAttribute('data-status')).resolves.toBe('pending');
    await expect(item.locator('.badge').first().textContent()).resolves.toBe('待报');
    await expect(item.locator('.report-facts').textContent()).resolves.toMatch(/截止 \d{4}-\d{2}-10/);

    await item.getByRole('button', { name: /^预览：/ }).click();
    const preview = item.locator('.preview');
    await preview.waitFor();
    await expect(preview.locator('.hint').first().textContent()).resolves.toContain('尚未报送');
    expect(await preview.locator('tbody tr').count()).toBeGreaterThan(0);
    await expect(preview.locator('thead th').first().textContent()).resolves.toBe('序号');

    await item.getByRole('button', { name: '报送独居老人信息台账' }).click();
    await expect(item.locator('.confirm').textContent()).resolves.toContain('冻结');
    await item.getByRole('button', { name: '确认报送' }).click();
    await f01Item(community, '', 'submitted').waitFor();
    await community.locator('#status', { hasText: '已报送 F01' }).waitFor();
    await expect(f01Item(community).locator('.report-facts').textContent()).resolves.toContain('填表人 桥北社区工作者');
    expect(await apiStatus()).toMatchObject({ status: 'submitted' });
  });

  it('the street returns it with a reason (required), and cannot submit its summary yet', async () => {
    await login(street, 'chenjiaqiao');
    await openTab(street, '待审核');
    const item = f01Item(street, '.review');
    await expect(item.getAttribute('data-status')).resolves.toBe('submitted');
    // The previous month's report of the same form and community, to compare with.
    await expect(item.locator('.previous').textContent()).resolves.toContain('上期');
    await shot(street, 'review.png');

    await item.getByRole('button', { name: /^退回/ }).click();
    await item.getByRole('button', { name: '确认退回' }).click();
    await expect(item.locator('.confirm .error').textContent()).resolves.toBe('请填写退回原因');
    await item.getByLabel('退回原因').fill(REASON);
    await item.getByRole('button', { name: '确认退回' }).click();
    await f01Item(street, '.review', 'returned').waitFor();
    expect(await apiStatus()).toMatchObject({ status: 'returned', returnReason: REASON });

    // F09 counts every community's reports: refused, with the list of what is missing.
    const summary = street.locator('.reports li.report-item[data-code="F09"]');
    await summary.getByRole('button', { name: /^报送/ }).click();
    await summary.getByRole('button', { name: '确认报送' }).click();
    const missing = summary.locator('.missing');
    await missing.waitFor();
    await expect(missing.textContent()).resolves.toContain('桥北社区');
    await expect(summary.locator('.confirm .error').textContent()).resolves.toContain('尚未审核通过');
  });

  it('the community sees 退回 and the reason, and resubmits', async () => {
    await community.getByRole('tab', { name: '台账' }).click();
    await openTab(community, '本期报表'); // a tab loads afresh each time it is opened
    const item = f01Item(community);
    await expect(item.getAttribute('data-status')).resolves.toBe('returned');
    await expect(item.locator('.badge').first().textContent()).resolves.toBe('退回');
    await expect(item.locator('.return-reason').textContent()).resolves.toContain(REASON);
    await shot(community, 'reports.png');

    await item.getByRole('button', { name: '重新报送独居老人信息台账' }).click();
    await item.getByRole('button', { name: '确认报送' }).click();
    await f01Item(community, '', 'submitted').waitFor();
    expect(await apiStatus()).toMatchObject({ status: 'submitted' });
    // Each step carries its own key (the community's two submissions and the street's refused F09 are three requests).
    expect(keys.submitReport).toHaveLength(3);
    expect(new Set(keys.submitReport).size).toBe(3);
    expect(keys.submitReport.every((k) => /^[0-9a-f-]{36}$/.test(k ?? ''))).toBe(true);
    expect(keys.returnReport).toHaveLength(1);
  });

  it('the street approves it; the report is locked and can be reopened only with a reason', async () => {
    await openTab(street, '待审核');
    const item = f01Item(street, '.review');
    await expect(item.getAttribute('data-status')).resolves.toBe('submitted');
    // The frozen rows against the ledger now (changedSince, asked for this one report).
    await item.getByRole('button', { name: '核对报送以来台账的变化' }).click();
    await item.locator('.changes', { hasText: '报送以来台账没有变化' }).waitFor();
    // The answer is lost on the way: the page says it may have been done, and pressing again sends the same key.
    await street.route('**/graphql', (route) => (route.request().postData()?.includes('approveReport(') ? route.abort('failed') : route.fallback()));
    await item.getByRole('button', { name: /^审核通过/ }).click();
    await expect(item.locator('.report-notes .error').textContent()).resolves.toContain('不确定是否已审核，再点一次不会重复审核');
    await street.locator('#status', { hasText: '网络中断' }).waitFor();
    expect(browserErrors.splice(0)).toEqual([expect.stringContaining('net::ERR_FAILED')]); // the aborted request, as Chromium logs it
    await street.unroute('**/graphql');
    await item.getByRole('button', { name: /^审核通过/ }).click();
    await f01Item(street, '.review', 'approved').waitFor();
    expect(keys.approveReport).toHaveLength(2);
    expect(keys.approveReport[1]).toBe(keys.approveReport[0]);
    await street.locator('#status', { hasText: '已审核通过' }).waitFor();
    expect(await apiStatus()).toMatchObject({ status: 'approved' });
    // Reopening asks for its reason before anything is sent.
    await f01Item(street, '.review').getByRole('button', { name: /^重新打开/ }).click();
    await f01Item(street, '.review').getByRole('button', { name: '确认重新打开' }).click();
    await expect(f01Item(street, '.review').locator('.confirm .error').textContent()).resolves.toBe('请填写重新打开的原因');
    await f01Item(street, '.review').getByRole('button', { name: '取消' }).click();
    expect(await apiStatus()).toMatchObject({ status: 'approved' });
  });

  it('the department sees it under 已收到 and downloads the frozen report, signed by filler and reviewer', async () => {
    await login(department, 'minzheng');
    expect(await department.getByRole('tab', { name: '待审核' }).count()).toBe(0); // F01–F03 are reviewed by streets
    await openTab(department, '已收到');
    const item = f01Item(department, '.received');
    await expect(item.textContent()).resolves.toContain('桥北社区');
    await expect(item.locator('.report-facts').textContent()).resolves.toContain('审核人 陈家桥街道办事处');
    await shot(department, 'received.png');

    const book = await downloadWorkbook(department, item.getByRole('button', { name: '导出桥北社区独居老人信息台账' }), /^桥北社区独居老人信息台账.*\.xlsx$/);
    const cells = texts(book);
    expect(cells.some((t) => /^填表人：桥北社区工作者（\d{4}-\d{2}-\d{2}）$/.test(t))).toBe(true);
    expect(cells.some((t) => /^审核人：陈家桥街道办事处（\d{4}-\d{2}-\d{2}）$/.test(t))).toBe(true);

    // A district department that reviews a street summary (F09) has 待审核 too.
    const reviewer = await windowFor();
    await login(reviewer, 'wanggehua');
    await openTab(reviewer, '待审核');
    await expect(reviewer.locator('.review').textContent()).resolves.toContain('本期没有等待审核的报表');
  });

  it('the street\'s 报送情况 counts it, and downloads the completeness workbook and every report of the period', async () => {
    await openTab(street, '报送情况');
    const communities = (await api.gql(`{ orgUnits(parentCode: "${STREET}") { code } }`)).orgUnits.length;
    const f01 = street.locator('.completeness-item[data-code="F01"]');
    const count = (kind: string) => f01.locator(`[data-kind="${kind}"] dd`).textContent();
    await expect(count('expected')).resolves.toBe(String(communities));
    await expect(count('approved')).resolves.toBe('1');
    await expect(count('submitted')).resolves.toBe('0');
    await expect(count('returned')).resolves.toBe('0');
    await expect(count('pending')).resolves.toBe(String(communities - 1));
    await f01.locator('summary').click();
    await expect(f01.locator(`li[data-org="${COMMUNITY}"]`).textContent()).resolves.toContain('已审核');
    await shot(street, 'completeness.png');

    const sheet = await downloadWorkbook(street, street.getByRole('button', { name: '下载报送情况（Excel）' }), /^陈家桥街道报送情况-.*\.xlsx$/);
    const row = sheet.getWorksheet('报送情况')!.getSheetValues().find((r) => Array.isArray(r) && r[1] === 'F01') as unknown[];
    expect(row.slice(5, 8)).toEqual([communities, 0, 1]); // 应报, 已报, 已审核

    const all = await downloadWorkbook(street, street.getByRole('button', { name: '一次下载本期全部报表' }), new RegExp(`^陈家桥街道报表-${period}.*\\.xlsx$`));
    expect(all.worksheets.map((s) => s.name)).toContain('F01桥北社区');
  });

  it('fits a 375-pixel-wide phone screen', async () => {
    const phone = await windowFor(375, 812);
    await login(phone, 'chenjiaqiao');
    await openTab(phone, '待审核');
    await f01Item(phone, '.review').getByRole('button', { name: /^预览：/ }).click();
    await f01Item(phone, '.review').locator('.preview table').waitFor();
    expect(await noSideways(phone)).toBe(true);
    await openTab(phone, '报送情况');
    expect(await noSideways(phone)).toBe(true);
    await shot(phone, 'reporting-mobile.png');
  });
});
