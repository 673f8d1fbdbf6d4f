import fs from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { todayIso } from '../../src/identity/index.js';
import { idNumber } from '../support/fixtures.js';
import { isPostgres } from '../support/test-app.js';
import { CHROMIUM, apiAs, DEMO_PASSWORD, launchBrowser, noSideways, startServer, type Server } from './browser-support.js';

// CI installs Chromium (.ci/run); there a missing browser is a failure, not a skip.
const describeInBrowser = fs.existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

const GRID = '500106108001001'; // 桥北社区第一网格 (xiaxue)

/**
 * 待完善 and 本月待走访 in Chromium, at a phone's 375 px and at desk width: a resident registered with gaps is on the
 * work list; a click on them (or on one missing fact) opens the one form with the cursor in that field; the key-group
 * resident is on the visits list until 记录走访 there records a visit; a street sees the coverage per grid and
 * community. No script or console error anywhere.
 */
describeInBrowser(`the work list and the visits due in a real browser (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const browserErrors: string[] = [];
  const year = Number(todayIso().slice(0, 4));
  const id = idNumber('500106', `${year - 78}0601`, 55);

  async function windowFor(width: number, height: number): Promise<Page> {
    const phone = width < 500;
    const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: phone, hasTouch: phone });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => browserErrors.push(`页面脚本错误：${e.message}`));
    page.on('console', (m) => (m.type() === 'error' ? browserErrors.push(`控制台错误：${m.text()}`) : undefined));
    return page;
  }

  async function login(page: Page, username: string) {
    await page.goto(server.url);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('tablist').waitFor();
  }

  /** The resident's line on the work list, paging on with 显示更多 until it shows. */
  async function workItem(page: Page) {
    await page.getByRole('tab', { name: '待完善' }).click();
    const item = page.locator(`.work-item[data-id-number="${id}"]`);
    await page.locator('.work-items, .work-list .muted').first().waitFor();
    while (!(await item.count())) {
      const more = page.getByRole('button', { name: '显示更多' });
      if (!(await more.isVisible())) throw new Error('待完善名单中没有该居民');
      await more.click();
      await page.waitForTimeout(200);
    }
    return item;
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    // A 78-year-old widower living alone, prone to wandering: on F01, F02 and F03 with most facts still to enter.
    const api = await apiAs(server.url, 'xiaxue');
    await api.gql(`mutation { upsertResident(input: { idNumber: "${id}", gridCode: "${GRID}", name: "待完善甲", currentAddress: "桥北路120号",
      livingArrangement: "1", maritalStatus: "30", childrenCount: 0, proneToWandering: true, wanderingReason: "1" }) { id } }`);
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  it('on a phone: from 待完善 to the one form at the missing fact, and 记录走访 from 本月待走访', async () => {
    const page = await windowFor(375, 740);
    await login(page, 'xiaxue');
    const item = await workItem(page);
    await item.locator('.work-forms li[data-code="F01"]').waitFor();
    expect(await noSideways(page)).toBe(true);
    if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/work-list-phone.png`, fullPage: false });
    const first = await item.locator('button.chip').first().getAttribute('data-field');
    await item.locator('button.person').click();
    await page.locator('#editor-title').filter({ hasText: '待完善甲' }).waitFor();
    await page.waitForFunction(`document.activeElement && document.activeElement.id === 'f-${first}'`);
    expect(await page.locator(`.field.wanted[data-key="${first}"]`).isVisible()).toBe(true);
    expect(await noSideways(page)).toBe(true);

    await page.getByRole('tab', { name: '本月待走访' }).click();
    const due = page.locator(`.due-item[data-id-number="${id}"]`);
    await due.waitFor();
    expect(await due.locator('.badge-overdue').isVisible()).toBe(true); // never visited
    expect(await noSideways(page)).toBe(true);
    await due.getByRole('button', { name: '记录走访' }).click();
    const form = due.locator('form.visit-form');
    await form.waitFor();
    await form.getByLabel('处置情况').selectOption({ index: 1 }); // the one required fact without a default
    await form.getByRole('button', { name: '记录走访' }).click();
    await due.waitFor({ state: 'detached' });
    expect(await page.locator(`.due-item[data-id-number="${id}"]`).count()).toBe(0);
    expect(await noSideways(page)).toBe(true);
    expect(browserErrors).toEqual([]);
  });

  it('at desk width: a missing fact opens the form at that field; a street sees the coverage per grid and community', async () => {
    const page = await windowFor(1280, 900);
    await login(page, 'qiaobei');
    const item = await workItem(page);
    expect(await page.locator('.work-list table.totals tr[data-grid]').count()).toBeGreaterThan(1);
    const chips = item.locator('.work-forms li[data-code="F03"] button.chip');
    const field = await chips.last().getAttribute('data-field');
    await chips.last().click();
    await page.locator('#editor-title').filter({ hasText: '待完善甲' }).waitFor();
    await page.waitForFunction(`document.activeElement && document.activeElement.id === 'f-${field}'`);
    expect(await page.getByRole('tab', { name: '台账' }).getAttribute('aria-selected')).toBe('true');

    const street = await windowFor(1280, 900);
    await login(street, 'chenjiaqiao');
    await street.getByRole('tab', { name: '本月待走访' }).click();
    await street.locator('.visits-due table.coverage').first().waitFor();
    if (process.env.SHOTS) await street.screenshot({ path: `${process.env.SHOTS}/visits-due-street.png`, fullPage: false });
    expect(await street.locator('.visits-due table.coverage').count()).toBe(2); // per grid, per community
    expect(await street.locator('.visits-due .due-item button').count()).toBe(0); // a street office only reads
    expect(await noSideways(street)).toBe(true);
    expect(browserErrors).toEqual([]);
  });
});
