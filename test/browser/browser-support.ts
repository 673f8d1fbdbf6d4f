import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from '@jest/globals';
import ExcelJS from 'exceljs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { freshDatabaseEnv } from '../support/test-app.js';

/** Debian's Chromium: no browser download (.ci/run installs the package). */
export const CHROMIUM = '/usr/bin/chromium';
export const DEMO_PASSWORD = 'yibiaotong2026';
const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Server {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The compiled server (`npm test` builds first), as people run it, on a fresh database with the demo data and
 * demo accounts: a new SQLite file, or the PostgreSQL of DATABASE_URL with its schema dropped. `extraEnv`: e.g. a
 * TEMPLATES_DIR of the test's own.
 */
export async function startServer(extraEnv: NodeJS.ProcessEnv = {}): Promise<Server> {
  const port = await freePort();
  const env = { ...(await freshDatabaseEnv()), PORT: String(port), SEED_DEMO: 'true', RATE_LIMIT_PER_MINUTE: '100000', ...extraEnv };
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`服务未能启动（退出码 ${child.exitCode}）：\n${output}`);
    const up = await fetch(url).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`服务 60 秒内未就绪：\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Headless Chromium without any network of its own (updates, sync, QUIC). Each launch gets a fresh, temporary
 * user-data-dir from playwright (which refuses a --user-data-dir argument) and removes it on close.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Chinese date and month pickers, as on the staff's own computers (with Debian's chromium-l10n installed).
    env: { ...process.env, LANG: 'C.UTF-8', LANGUAGE: 'zh_CN:zh' }, // LANG: UTF-8 file names for downloads
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
  });
}

/** A desk-sized page (1280 × 860, zh-CN, 15 s waits) in a context of its own; the page's script errors go to onError. */
export async function deskPage(browser: Browser, onError = (message: string) => console.error(`页面脚本错误：${message}`)): Promise<Page> {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
  desk.setDefaultTimeout(15_000);
  const page = await desk.newPage();
  page.on('pageerror', (e) => onError(e.message));
  return page;
}

export interface Api {
  gql<T = any>(query: string): Promise<T>;
}

/** Another person, over the API: a demo account's token and a gql that throws on errors. */
export async function apiAs(baseUrl: string, username: string): Promise<Api> {
  const post = async (query: string, token?: string) => {
    const res = await fetch(new URL('/graphql', baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Ybt-Source': 'api', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const { login } = await post(`mutation { login(username: "${username}", password: "${DEMO_PASSWORD}") { token } }`);
  return { gql: (query) => post(query, login.token) };
}

/** Logs in through the page's own form and waits for the workspace. */
export async function loginOnPage(page: Page, username: string): Promise<void> {
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('.workspace').waitFor();
}

/** Whether the page fits its viewport's width: nothing to scroll sideways. */
export async function noSideways(page: Page): Promise<boolean> {
  // A string: the test compiles without the DOM's types.
  const { scroll, width } = await page.evaluate<{ scroll: number; width: number }>('({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })');
  if (scroll > width) console.error(`页面宽 ${scroll}px，超出 ${width}px`);
  return scroll <= width;
}

/** Clicks a download button and answers the workbook the browser saved (a real .xlsx: a zip exceljs reads). */
export async function downloadWorkbook(page: Page, button: Locator, fileName: RegExp): Promise<ExcelJS.Workbook> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toMatch(fileName);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-download-'));
  await download.saveAs(path.join(dir, 'download.xlsx'));
  const bytes = fs.readFileSync(path.join(dir, 'download.xlsx'));
  fs.rmSync(dir, { recursive: true });
  expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304'); // the zip signature every .xlsx starts with
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book;
}
