import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, type Request, type Route } from 'playwright-core';
import { idCheckCharacter, todayIso } from '../../src/identity/index.js';
import { isPostgres } from '../support/test-app.js';
import { CHROMIUM, apiAs, deskPage, launchBrowser, loginOnPage, startServer, type Server } from './browser-support.js';

// CI installs Chromium (.ci/run); there a missing browser is a failure, not a skip.
const describeInBrowser = fs.existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

/** docs/screenshots/draft.png when asked for (UPDATE_SCREENSHOTS=1, see docs/page.md). */
const shot = (page: Page) => (process.env.UPDATE_SCREENSHOTS ? page.screenshot({ path: path.resolve(import.meta.dirname, '../../docs/screenshots/draft.png') }) : null);

const idOf = (first17: string) => first17 + idCheckCharacter(first17);
// Born in 1950 and living alone: both belong in F01 独居老人, so the visit form shows for them.
const FIRST = idOf('50010619500412993');
const SECOND = idOf('50010619520618995');
const ADDRESS = '重庆市沙坪坝区陈家桥街道桥北社区桥北路12号3栋2单元201';

/** The body of DATABASE_UNAVAILABLE as the server sends it (HTTP 503 with Retry-After). */
const UNAVAILABLE = JSON.stringify({
  errors: [{ message: '数据库暂时无法访问，本次操作未保存，请稍后重试', extensions: { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5, requestId: 'req-test' } }],
});

interface Sent {
  operation: 'upsertResident' | 'recordVisit';
  key: string | undefined;
  body: string;
}

describeInBrowser(`drafts and retried saves in a real browser (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const sent: Sent[] = [];
  const pageErrors: string[] = [];

  /** Every save the page sends (failed ones included), with its Idempotency-Key. */
  const record = (request: Request) => {
    const body = request.postData() ?? '';
    const operation = (['upsertResident', 'recordVisit'] as const).find((op) => body.includes(`${op}(`));
    if (request.url().endsWith('/graphql') && operation) sent.push({ operation, key: request.headers()['idempotency-key'], body });
  };
  /** Makes the page's saves of one kind fail (everything else reaches the server). */
  const failSaves = (operation: string, fail: (route: Route) => Promise<void>) =>
    page.route('**/graphql', (route) => (route.request().postData()?.includes(`${operation}(`) ? fail(route) : route.fallback()));
  const status = (text: string) => page.locator('#status', { hasText: text }).waitFor();
  const drafts = () => page.evaluate<string[]>("Object.keys(sessionStorage).filter((k) => k.startsWith('ybt.draft.'))");
  const value = (id: string) => page.locator(id).inputValue();
  const chooseGrid = () => page.getByLabel('网格', { exact: true }).selectOption({ label: '第一网格' });
  /** Until the workspace is ready: a draft left unsaved is back on screen, or there was none. */
  const settled = () => page.locator('.workspace:not([aria-busy])').waitFor();
  /** Until the pause in typing has passed and the draft is in sessionStorage. */
  const draftWritten = () => page.waitForFunction("Object.keys(sessionStorage).some((k) => k.startsWith('ybt.draft.'))");

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await deskPage(browser, (message) => pageErrors.push(message));
    page.on('request', record);
  }, 90_000);

  afterEach(() => {
    // A script error on the page is a failure of the test that caused it, not noise.
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps a half-typed new resident through a revoked login and gives it back after logging in again', async () => {
    await page.goto(server.url);
    await loginOnPage(page, 'qiaobei');
    await chooseGrid();
    await page.getByRole('button', { name: '登记新居民' }).click();
    await page.locator('#f-idNumber').fill(FIRST);
    await page.locator('#f-name').fill('草稿测试老人');
    await page.locator('#f-phone').fill('13911112222');
    await page.locator('#f-livingArrangement').selectOption('1');

    // The same account logs out elsewhere: every token of it is revoked, this tab's too.
    await (await apiAs(server.url, 'qiaobei')).gql('mutation { logout }');
    await page.locator('#f-currentAddress').fill(ADDRESS);
    await page.getByRole('button', { name: '保存并登记' }).click();
    await page.locator('#login-username').waitFor();
    await expect(page.locator('#login-error').textContent()).resolves.toBe('登录已过期，请重新登录；您填写的内容已保留，重新登录后恢复');
    const refused = sent.at(-1)!;
    expect(refused.operation).toBe('upsertResident');
    expect(refused.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    await loginOnPage(page, 'qiaobei');
    await page.locator('.restored', { hasText: '已恢复未保存的内容' }).waitFor();
    await shot(page);
    await expect(page.locator('#editor-title').textContent()).resolves.toContain('登记到 第一网格');
    await expect(page.getByLabel('网格', { exact: true }).locator('option:checked').textContent()).resolves.toBe('第一网格');
    await expect(value('#f-idNumber')).resolves.toBe(FIRST);
    await expect(value('#f-name')).resolves.toBe('草稿测试老人');
    await expect(value('#f-phone')).resolves.toBe('13911112222');
    await expect(value('#f-currentAddress')).resolves.toBe(ADDRESS);
    await expect(value('#f-livingArrangement')).resolves.toBe('1');

    await page.getByRole('button', { name: '保存并登记' }).click();
    await page.locator('.result .form-item[data-code="F01"] .badge', { hasText: '新进入' }).waitFor();
    // The same save again after the new login: the same request, so the same key.
    expect(sent.at(-1)).toEqual(refused);
    await expect(drafts()).resolves.toEqual([]);
    const { resident } = await (await apiAs(server.url, 'qiaobei')).gql(`{ resident(idNumber: "${FIRST}") { name phone currentAddress livingArrangement } }`);
    expect(resident).toEqual({ name: '草稿测试老人', phone: '13911112222', currentAddress: ADDRESS, livingArrangement: '1' });

    // Saved: a reload brings no draft back.
    await page.reload();
    await settled();
    await expect(page.locator('.placeholder').count()).resolves.toBe(1);
    await expect(page.locator('.restored').count()).resolves.toBe(0);
  });

  it('says a save failed when the database is unavailable, the network drops or a proxy answers 502, keeps the values and retries with the same key', async () => {
    await chooseGrid();
    await page.getByRole('button', { name: '登记新居民' }).click();
    await page.locator('#f-idNumber').fill(SECOND);
    await page.locator('#f-name').fill('重试测试老人');
    await page.locator('#f-currentAddress').fill(ADDRESS);
    await page.locator('#f-livingArrangement').selectOption('1');
    const before = sent.length;

    await failSaves('upsertResident', (route) => route.fulfill({ status: 503, headers: { 'Retry-After': '5' }, contentType: 'application/json', body: UNAVAILABLE }));
    await page.getByRole('button', { name: '保存并登记' }).click();
    await status('服务暂不可用（数据库无法连接），未保存；您填写的内容已保留，请约 5 秒后再点保存');
    await page.unrouteAll();

    await failSaves('upsertResident', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: '保存并登记' }).click();
    await status('网络中断，连不上服务器，不确定是否已保存；您填写的内容已保留，请稍后再点保存（不会重复保存）');
    await page.unrouteAll();

    await failSaves('upsertResident', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' }));
    await page.getByRole('button', { name: '保存并登记' }).click();
    await status('服务器出错（HTTP 502），不确定是否已保存；您填写的内容已保留，请稍后再点保存（不会重复保存）');

    // Still on screen, and still there after a reload (the failed save's key with them).
    await expect(value('#f-name')).resolves.toBe('重试测试老人');
    await page.reload();
    await page.locator('.restored', { hasText: '已恢复未保存的内容' }).waitFor();
    await expect(value('#f-idNumber')).resolves.toBe(SECOND);
    await expect(value('#f-name')).resolves.toBe('重试测试老人');
    await expect(value('#f-currentAddress')).resolves.toBe(ADDRESS);
    await page.unrouteAll();

    await page.getByRole('button', { name: '保存并登记' }).click();
    await page.locator('#editor-title', { hasText: '第 1 版' }).waitFor();
    const attempts = sent.slice(before);
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((s) => s.key)).size).toBe(1);
    expect(new Set(attempts.map((s) => s.body)).size).toBe(1);
    await expect(drafts()).resolves.toEqual([]);

    // A different save: a new key.
    await page.locator('#f-phone').fill('13922223333');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.locator('#editor-title', { hasText: '第 2 版' }).waitFor();
    expect(sent.at(-1)!.key).toBeDefined();
    expect(sent.at(-1)!.key).not.toBe(attempts[0].key);
    await expect(drafts()).resolves.toEqual([]);
  });

  it('takes a new key when the server says the key was used for another request', async () => {
    await page.locator('#f-remarks').fill('行动不便');
    await failSaves('upsertResident', (route) => route.fulfill({ status: 422, contentType: 'application/json',
      body: JSON.stringify({ errors: [{ message: '该 Idempotency-Key 已用于另一请求', extensions: { code: 'IDEMPOTENCY_KEY_REUSED' } }] }) }));
    await page.getByRole('button', { name: '保存修改' }).click();
    await status('这次提交与上一次不同，未保存；请核对后再点保存');
    const refused = sent.at(-1)!;
    await page.unrouteAll();
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.locator('#editor-title', { hasText: '第 3 版' }).waitFor();
    expect(sent.at(-1)!.body).toBe(refused.body);
    expect(sent.at(-1)!.key).not.toBe(refused.key);
  });

  it('brings back what was typed in the one form and the visit form when the tab is reloaded mid-typing', async () => {
    const visit = page.locator('.visit');
    await visit.waitFor();
    await visit.getByLabel('身体状况').fill('腿脚不便，需扶持');
    await page.locator('#f-remarks').fill('独居，女儿每周来一次');
    await page.reload(); // at once: no pause in typing for the draft to wait for

    await page.locator('.restored', { hasText: '已恢复未保存的内容' }).waitFor();
    await expect(value('#f-remarks')).resolves.toBe('独居，女儿每周来一次');
    await expect(page.locator('#editor-title').textContent()).resolves.toContain('重试测试老人');
    await expect(visit.getByLabel('身体状况').inputValue()).resolves.toBe('腿脚不便，需扶持');

    // The visit reaches the server but its answer is lost on the way back: pressing again sends the same key,
    // and the server answers with the first visit instead of recording a second one.
    await visit.getByLabel('处置情况').selectOption('3');
    await failSaves('recordVisit', async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
    await visit.getByRole('button', { name: '记录走访' }).click();
    await status('网络中断，连不上服务器，不确定是否已保存');
    await page.unrouteAll();
    const replayed = page.waitForResponse((r) => r.request().postData()?.includes('recordVisit(') === true);
    await visit.getByRole('button', { name: '记录走访' }).click();
    await visit.locator('.visit-list li', { hasText: todayIso() }).waitFor();
    await expect((await replayed).headerValue('idempotent-replayed')).resolves.toBe('true');
    const [lost, retried] = sent.slice(-2);
    expect(lost).toMatchObject({ operation: 'recordVisit', key: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(retried).toEqual(lost);
    const { resident } = await (await apiAs(server.url, 'qiaobei')).gql(`{ resident(idNumber: "${SECOND}") { visits { physicalCondition } } }`);
    expect(resident.visits).toEqual([{ physicalCondition: '腿脚不便，需扶持' }]);
    // Recorded: only the one form's draft is left.
    await page.reload();
    await page.locator('.restored').waitFor();
    await expect(value('#f-remarks')).resolves.toBe('独居，女儿每周来一次');
    await expect(page.locator('.visit').getByLabel('身体状况').inputValue()).resolves.toBe('');
  });

  it('keeps a draft from another account in the same tab, and forgets it on logout', async () => {
    // qiaobei's login expires with the remarks unsaved; xiaxue logs in on the same tab.
    await draftWritten();
    await (await apiAs(server.url, 'qiaobei')).gql('mutation { logout }');
    await page.reload();
    await page.locator('#login-username').waitFor();
    await expect(page.locator('#login-error').textContent()).resolves.toContain('您填写的内容已保留');
    await loginOnPage(page, 'xiaxue');
    await settled();
    await expect(page.locator('.placeholder').count()).resolves.toBe(1);
    await expect(page.locator('.restored').count()).resolves.toBe(0);
    await expect(page.locator('#f-remarks').count()).resolves.toBe(0);

    // xiaxue leaves; qiaobei gets the draft back, then logs out: it is gone.
    await page.getByRole('button', { name: '退出' }).click();
    await loginOnPage(page, 'qiaobei');
    await page.locator('.restored').waitFor();
    await expect(value('#f-remarks')).resolves.toBe('独居，女儿每周来一次');
    await page.getByRole('button', { name: '退出' }).click();
    await page.locator('#login-username').waitFor();
    await expect(drafts()).resolves.toEqual([]);
    await loginOnPage(page, 'qiaobei');
    await settled();
    await expect(page.locator('.placeholder').count()).resolves.toBe(1);
    await expect(page.locator('.restored').count()).resolves.toBe(0);
  });

  it('saves a draft of a resident someone changed meanwhile through the comparison, never over their change; or gives it up', async () => {
    await page.locator('#search-text').fill(FIRST);
    await page.getByRole('button', { name: '查找', exact: true }).click();
    await page.locator('.result-item', { hasText: '草稿测试老人' }).click();
    await page.locator('#editor-title', { hasText: '第 1 版' }).waitFor();
    await page.locator('#f-phone').fill('13800009999');
    await draftWritten();
    // The grid worker changes the same resident meanwhile (version 1 → 2).
    await (await apiAs(server.url, 'xiaxue')).gql(`mutation { upsertResident(input: { idNumber: "${FIRST}", expectedVersion: 1, remarks: "他人补充的备注" }) { version } }`);

    await page.reload();
    await page.locator('.restored', { hasText: '该居民此后已被他人修改' }).waitFor();
    await expect(value('#f-phone')).resolves.toBe('13800009999');
    await page.getByRole('button', { name: '保存修改' }).click();
    const conflict = page.locator('.conflict');
    await conflict.waitFor();
    await expect(conflict.locator('tr', { hasText: '联系电话' }).locator('td').allTextContents()).resolves.toEqual(['13800009999', '13911112222']);
    await expect(conflict.locator('tr', { hasText: '备注' }).locator('td').allTextContents()).resolves.toEqual(['（空）', '他人补充的备注']);
    await conflict.getByRole('button', { name: '采用当前值并套用我的修改' }).click();
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.locator('#editor-title', { hasText: '第 3 版' }).waitFor();
    const { resident } = await (await apiAs(server.url, 'qiaobei')).gql(`{ resident(idNumber: "${FIRST}") { phone remarks } }`);
    expect(resident).toEqual({ phone: '13800009999', remarks: '他人补充的备注' });
    await expect(page.locator('.restored').count()).resolves.toBe(0);
    await expect(drafts()).resolves.toEqual([]);

    // Given up: the form shows what is saved, and nothing comes back.
    await page.locator('#f-remarks').fill('不要了');
    await page.reload();
    await page.locator('.restored').getByRole('button', { name: '放弃这些内容' }).click();
    await status('已放弃未保存的内容');
    await expect(value('#f-remarks')).resolves.toBe('他人补充的备注');
    await expect(page.locator('.restored').count()).resolves.toBe(0);
    await expect(drafts()).resolves.toEqual([]);
  });
});
