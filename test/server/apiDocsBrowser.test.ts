// /v2/docs in a real browser (headless Chromium): the Swagger UI renders this server's API
// document under the page's own Content-Security-Policy, and the page asks no other host for
// anything (no CDN, no validator badge).
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/tools.js';
import { startServer, type ServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  requireTool('chromium');
  server = await startServer({ rtpPorts: '31960-31969' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the Swagger UI at /v2/docs', () => {
  it('renders the API from local files only, with no CSP violation', async () => {
    const page = await browser.newPage();
    const origin = new URL(server.url).origin;
    const elsewhere: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith('data:')) elsewhere.push(url);
    });
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${server.url}/v2/docs`);
    // The title comes from the OpenAPI document, fetched and rendered by the UI's own scripts.
    const title = page.locator('.swagger-ui .info .title');
    await title.waitFor({ timeout: 15_000 });
    expect(await title.textContent()).toContain('roomtone conference API');
    await page.locator('.opblock-summary-path', { hasText: '/v2/accounts/{A}/conferences/{C}/participants/{P}' }).first().waitFor({ timeout: 5000 });
    expect(elsewhere).toEqual([]);
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    await page.close();
  }, 30_000);
});
