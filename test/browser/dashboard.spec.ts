import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { todayIso } from '../../src/identity/index.js';
import { idNumber } from '../support/fixtures.js';
import { isPostgres } from '../support/test-app.js';
import { CHROMIUM, type Api, apiAs, DEMO_PASSWORD, downloadWorkbook, launchBrowser, noSideways, startServer, type Server } from './browser-support.js';

// CI installs Chromium (.ci/run); there a missing browser is a failure, not a skip.
const describeInBrowser = fs.existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

/** Screenshots go to docs/screenshots/ when asked for (UPDATE_SCREENSHOTS=1), to a temporary folder otherwise. */
const shots = process.env.UPDATE_SCREENSHOTS ? path.resolve(import.meta.dirname, '../../docs/screenshots') : fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-shots-'));

const STREET = '500106108000'; // 陈家桥街道 (chenjiaqiao)
const COMMUNITY = '500106108001'; // 桥北社区 (qiaobei)
const GRID = '500106108001001'; // its 第一网格 (xiaxue)
const OTHER_STREET_COMMUNITY = '500113005001'; // 土桥正街社区, another district

/** This month as the page and the server name it (the same machine's clock). */
const MONTH = todayIso().slice(0, 7);

const WORK = `{ workList(orgUnit: "ORG", first: 1) { totalCount grids { grid { code communityCode } residents forms fields } } }`;
const VISITS = `{ visitsDue(orgUnit: "ORG", month: "${MONTH}", first: 1) { total { due visited overdue ratio } communities { code due visited overdue ratio } coverage { code due visited overdue ratio } } }`;
const QUALITY = `{ qualityWarnings(orgUnit: "ORG", first: 1) { residentsChecked residentsAffected byRule { rule count } communities { code residentsChecked residentsAffected } grids { code residentsAffected } } }`;
const BURDEN = `{ burdenReport(orgUnit: "ORG", period: "${MONTH}") { orgUnitName factsTyped changesTyped cellsFilled cellsPerFact formsWithoutTyping cellsProduced overlap { departmentA departmentB sharedFields } } }`;

/** The four answers the dashboard draws, asked for over the API by the same account (not through the page). */
async function answers(api: Api, org: string) {
  const q = (query: string) => api.gql(query.replace('ORG', org));
  const [work, visits, quality, burden] = await Promise.all([q(WORK), q(VISITS), q(QUALITY), q(BURDEN)]);
  return { work: work.workList, visits: visits.visitsDue, quality: quality.qualityWarnings, burden: burden.burdenReport };
}

const percent = (ratio: number | null) => (ratio === null ? '—' : `${Math.round(ratio * 100)}%`);
/** A number as the page shows it (thousands separated), back to a number. */
const digits = (text: string | null) => Number((text ?? '').replace(/[^\d.]/g, ''));

/**
 * 概况 in Chromium at a phone's 375 px and at desk width: the street office's dashboard shows exactly what workList,
 * visitsDue, qualityWarnings and burdenReport answer over the API (figures, one SVG bar per community, the tables per
 * community and grid, the departments' overlap as a heat map), the burden workbook downloads and reads back with the
 * same figures; a community sees a bar per grid; an administrator picks a street. No script or console error, and
 * nothing to scroll sideways on the phone.
 */
describeInBrowser(`the street dashboard in a real browser (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const browserErrors: string[] = [];
  let street: Api;
  let communitiesOfStreet: { code: string; name: string }[];

  async function windowFor(width: number, height: number): Promise<Page> {
    const phone = width < 500;
    const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', acceptDownloads: true, isMobile: phone, hasTouch: phone });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => browserErrors.push(`页面脚本错误：${e.message}`));
    page.on('console', (m) => (m.type() === 'error' ? browserErrors.push(`控制台错误：${m.text()}`) : undefined));
    return page;
  }

  /** Logs in and opens 概况, waiting until its figures are on screen. */
  async function openDashboard(page: Page, username: string) {
    await page.goto(server.url);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('tab', { name: '概况' }).click();
    await page.locator('.dashboard .kpis').first().waitFor();
    await page.waitForFunction("!document.querySelector('.dashboard[aria-busy]')");
  }

  const kpi = (page: Page, kind: string) => page.locator(`.dashboard [data-kpi="${kind}"] .kpi-value`).textContent();
  /** The cells of a table row (its code) in one part of the dashboard, as text. */
  const row = (page: Page, part: string, code: string) => page.locator(`#dash-${part} table.totals tr[data-code="${code}"] td`).allTextContents();
  async function bars(page: Page, part: string): Promise<[string | null, number][]> {
    const all = await page.locator(`#dash-${part} svg.chart g.bar-row`).all();
    return Promise.all(all.map(async (g) => [await g.getAttribute('data-key'), Number(await g.getAttribute('data-value'))] as [string | null, number]));
  }

  /** Everything the dashboard shows for an org unit against the API's answers; `units`: the bars' units (communities or grids). */
  async function matchesApi(page: Page, api: Api, org: string, units: { code: string }[], perCommunity: boolean) {
    const a = await answers(api, org);
    const fields = a.work.grids.reduce((n: number, g: { fields: number }) => n + g.fields, 0);
    expect(digits(await kpi(page, 'gaps'))).toBe(a.work.totalCount);
    expect(digits(await page.locator('.dashboard [data-kpi="gaps"] small').textContent())).toBe(fields);
    expect(await kpi(page, 'coverage')).toBe(percent(a.visits.total.ratio));
    expect(digits(await kpi(page, 'quality'))).toBe(a.quality.residentsAffected);
    expect(digits(await kpi(page, 'burden'))).toBe(a.burden.factsTyped);

    // Gaps: one bar per unit, its value the residents with gaps there (a community's: its grids added up here).
    const gapsOf = (code: string) => a.work.grids.filter((g: { grid: { code: string } }) => g.grid.code.startsWith(code))
      .reduce((t: number[], g: { residents: number; forms: number; fields: number }) => [t[0] + g.residents, t[1] + g.forms, t[2] + g.fields], [0, 0, 0]);
    expect(await bars(page, 'gaps')).toEqual(units.map((u) => [u.code, gapsOf(u.code)[0]]));
    for (const g of a.work.grids) expect((await row(page, 'gaps', g.grid.code)).map(Number)).toEqual([g.residents, g.forms, g.fields]);
    if (perCommunity) for (const u of units) expect((await row(page, 'gaps', u.code)).map(Number)).toEqual(gapsOf(u.code));

    // Visits: one bar per unit, its value the coverage ratio; the table per community and grid.
    const coverageUnits = perCommunity ? a.visits.communities : a.visits.coverage;
    expect(await bars(page, 'visits')).toEqual(units.map((u) => [u.code, coverageUnits.find((c: { code: string }) => c.code === u.code).ratio ?? 0]));
    for (const c of [...a.visits.coverage, ...(perCommunity ? a.visits.communities : [])]) {
      expect(await row(page, 'visits', c.code)).toEqual([String(c.due), String(c.visited), String(c.overdue), percent(c.ratio)]);
    }

    // Quality: each rule's count, each community's and grid's residents checked / affected.
    for (const r of a.quality.byRule) expect(await page.locator(`#dash-quality tr[data-rule="${r.rule}"] td`).textContent()).toBe(String(r.count));
    for (const c of perCommunity ? a.quality.communities : []) expect((await row(page, 'quality', c.code)).map(Number)).toEqual([c.residentsChecked, c.residentsAffected]);
    for (const g of a.quality.grids) expect(Number((await row(page, 'quality', g.code))[1])).toBe(g.residentsAffected);

    // Burden: the figures, and the overlap of every pair of departments in both of its cells.
    const figure = (kind: string) => page.locator(`#dash-burden [data-kpi="${kind}"] .kpi-value`).textContent();
    expect(digits(await figure('factsTyped'))).toBe(a.burden.factsTyped);
    expect(digits(await figure('cellsFilled'))).toBe(a.burden.cellsFilled);
    expect(await figure('cellsPerFact')).toBe(a.burden.cellsPerFact === null ? '—' : `${a.burden.cellsPerFact} 格`);
    expect(digits(await figure('formsWithoutTyping'))).toBe(a.burden.formsWithoutTyping);
    // Rows for the departments sharing a fact with another; the others named in a line under the map.
    type Pair = { departmentA: string; departmentB: string; sharedFields: number };
    const departments = [...new Set(a.burden.overlap.flatMap((o: Pair) => [o.departmentA, o.departmentB]))] as string[];
    const sharing = departments.filter((d) => a.burden.overlap.some((o: Pair) => o.sharedFields > 0 && [o.departmentA, o.departmentB].includes(d)));
    expect(sharing.length).toBeGreaterThan(1);
    expect(await page.locator('#dash-burden table.heat-map tbody th').allTextContents()).toEqual(sharing.map((d, i) => `${i + 1} ${d}`));
    const alone = departments.filter((d) => !sharing.includes(d));
    if (alone.length) expect(await page.locator('#dash-burden .no-overlap').textContent()).toBe(`${alone.join('、')}的表单与其他部门没有相同的事实。`);
    else expect(await page.locator('#dash-burden .no-overlap').count()).toBe(0);
    for (const o of a.burden.overlap.filter((p: Pair) => sharing.includes(p.departmentA) && sharing.includes(p.departmentB))) {
      for (const [x, y] of [[o.departmentA, o.departmentB], [o.departmentB, o.departmentA]]) {
        expect(await page.locator(`#dash-burden td.heat[data-a="${x}"][data-b="${y}"]`).getAttribute('data-value')).toBe(String(o.sharedFields));
      }
    }
    // The charts say what they show: a title and every figure in words.
    for (const part of ['gaps', 'visits']) {
      const svg = page.locator(`#dash-${part} svg.chart`);
      expect(await svg.getAttribute('role')).toBe('img');
      expect(await svg.locator('title').first().textContent()).toMatch(/^各(社区|网格)/);
      expect((await svg.locator('desc').textContent())!.split('；').length).toBe(units.length);
    }
    return a;
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    street = await apiAs(server.url, 'chenjiaqiao');
    communitiesOfStreet = (await street.gql(`{ orgUnits(parentCode: "${STREET}") { code name } }`)).orgUnits;
    // Something typed this month, so the figures are not the fresh demo's zeros: a 78-year-old living alone with facts
    // still missing (on F01: a gap, a visit due, facts typed) and a 12-year-old with 就业情况 (a quality warning).
    const year = Number(todayIso().slice(0, 4));
    const qiaobei = await apiAs(server.url, 'qiaobei');
    const elder = idNumber('500106', `${year - 78}0601`, 57);
    await qiaobei.gql(`mutation { upsertResident(input: { idNumber: "${elder}", gridCode: "${GRID}", name: "概况甲", currentAddress: "桥北路130号", livingArrangement: "1" }) { id } }`);
    await qiaobei.gql(`mutation { upsertResident(input: { idNumber: "${idNumber('500106', `${year - 12}0301`, 59)}", gridCode: "${GRID}", name: "概况乙", currentAddress: "桥北路131号", employmentStatus: "2" }) { id } }`);
    // …and one key-group resident visited this month, so coverage is above nothing.
    const xiaxue = await apiAs(server.url, 'xiaxue');
    const [staff] = (await xiaxue.gql(`{ staff(orgUnitCode: "${GRID}") { id } }`)).staff;
    await xiaxue.gql(`mutation { recordVisit(input: { residentIdNumber: "${elder}", staffId: ${staff.id}, visitDate: "${todayIso()}", visitMethod: "1", disposition: "1" }) { id } }`);
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
    if (!process.env.UPDATE_SCREENSHOTS) fs.rmSync(shots, { recursive: true, force: true });
  });

  it('on a phone: the street office sees the API\'s figures, a bar per community, and downloads the burden workbook', async () => {
    expect(communitiesOfStreet.length).toBe(2);
    const page = await windowFor(375, 740);
    await openDashboard(page, 'chenjiaqiao');
    const a = await matchesApi(page, street, STREET, communitiesOfStreet, true);
    expect(a.burden.factsTyped).toBeGreaterThan(0);
    expect(a.quality.residentsAffected).toBeGreaterThan(0);
    expect(a.visits.total.visited).toBeGreaterThan(0);
    expect(await noSideways(page)).toBe(true);
    if (process.env.UPDATE_SCREENSHOTS) {
      await page.screenshot({ path: path.join(shots, 'dashboard-mobile.png'), fullPage: false });
      await page.locator('#dash-burden').screenshot({ path: path.join(shots, 'dashboard-burden-mobile.png') });
    }

    const book: ExcelJS.Workbook = await downloadWorkbook(page, page.getByRole('button', { name: '下载减负报告（Excel）' }), new RegExp(`^陈家桥街道减负报告-${MONTH}\\.xlsx$`));
    const summary = new Map<string, unknown>();
    book.getWorksheet('概况')!.eachRow((r) => summary.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(summary.get('区划代码')).toBe(STREET);
    expect(summary.get('人工录入的事实')).toBe(a.burden.factsTyped);
    expect(summary.get('填入部门表单的单元格')).toBe(a.burden.cellsFilled);
    expect(summary.get('无需另行填写的表单（份）')).toBe(a.burden.formsWithoutTyping);
    expect(book.getWorksheet('部门重叠')!.rowCount - 1).toBe(a.burden.overlap.length);
    expect(await noSideways(page)).toBe(true);
    expect(browserErrors).toEqual([]);
  });

  it('at desk width: the street, a community (a bar per grid) and an administrator choosing another street', async () => {
    const page = await windowFor(1280, 900);
    await openDashboard(page, 'chenjiaqiao');
    await matchesApi(page, street, STREET, communitiesOfStreet, true);
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });

    const community = await windowFor(1280, 900);
    await openDashboard(community, 'qiaobei');
    const qiaobei = await apiAs(server.url, 'qiaobei');
    const grids = (await qiaobei.gql(`{ orgUnits(parentCode: "${COMMUNITY}") { code } }`)).orgUnits;
    expect(grids.length).toBeGreaterThan(1);
    await matchesApi(community, qiaobei, COMMUNITY, grids, false);

    // An administrator: every street to choose from; another district's street shows its own figures.
    const admin = await windowFor(1280, 900);
    await openDashboard(admin, 'admin');
    const otherStreet = `${OTHER_STREET_COMMUNITY.slice(0, 9)}000`;
    const adminApi = await apiAs(server.url, 'admin');
    const { orgUnit } = await adminApi.gql(`{ orgUnit(code: "${otherStreet}") { name } }`);
    expect(await admin.locator('#dashboard-street option').count()).toBeGreaterThan(1);
    await admin.locator('#dashboard-street').selectOption(otherStreet);
    await admin.locator('#dashboard-title small').filter({ hasText: orgUnit.name }).waitFor();
    await admin.waitForFunction("!document.querySelector('.dashboard[aria-busy]')");
    const others = (await adminApi.gql(`{ orgUnits(parentCode: "${otherStreet}") { code } }`)).orgUnits;
    const units = others.length > 1 ? others : (await adminApi.gql(`{ orgUnits(parentCode: "${others[0].code}") { code } }`)).orgUnits;
    await matchesApi(admin, adminApi, otherStreet, units, others.length > 1);
    expect(browserErrors).toEqual([]);
  });
});
