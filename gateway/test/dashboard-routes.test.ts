// The dashboard of a gateway with two pools and a canary split, in a real browser: a heading per pool with its
// available / total, the routes table with what each route matches and the split's percentages, and a switch
// made through PUT /routes/app/split shown on a later poll without a reload. Screenshots go to test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import t from 'tap';
import { request } from 'undici';
import { adminCall, TEST_TOKEN } from './helpers/admin.js';
import { startBackends } from './helpers/backends.js';
import { launchChromium } from './helpers/chromium.js';
import { startGateway, waitFor } from './helpers/gateway.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Generous: the page polls every second; the machine may be busy. */
const UI_TIMEOUT_MS = 8_000;

const percent = (page: Page, pool: string) => page.locator(`tr[data-route="app"] .side[data-pool="${pool}"] .percent`);

t.test('the dashboard shows each pool, the routes and a split switched through the admin API', async (t) => {
  const [blue1, blue2, green1] = await startBackends(3);
  const gw = await startGateway({
    admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN },
    pools: {
      blue: { backends: [{ id: 'blue-1', url: blue1!.url }, { id: 'blue-2', url: blue2!.url }] },
      green: { backends: [{ id: 'green-1', url: green1!.url }] },
    },
    routes: [
      { name: 'api', match: { hosts: ['api.example.com'], pathPrefix: '/v1', methods: ['GET', 'POST'], headers: { 'x-tenant': { regex: '^t-' } } }, pool: 'green', stripPrefix: true },
      { name: 'app', match: {}, split: [{ pool: 'blue', weight: 90 }, { pool: 'green', weight: 10 }], sticky: { cookie: 'user' } },
    ],
  });
  const browser = await launchChromium();
  t.teardown(async () => {
    await browser.close();
    await gw.close();
    await Promise.all([blue1, blue2, green1].map((b) => b!.stop()));
  });
  await waitFor(() => [...gw.gateway.pools.members()].every((m) => m.state === 'up'));

  const snapshot = (await adminCall(gw.adminUrl, 'GET', '/dashboard.json')).body;
  t.same(snapshot.pools, [{ name: 'blue', backends: 2, available: 2 }, { name: 'green', backends: 1, available: 1 }], 'dashboard.json lists the pools');
  t.same(snapshot.routes, (await adminCall(gw.adminUrl, 'GET', '/routes')).body.routes, 'and the routes as GET /routes says them');

  const page = await browser.context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // A style or script the page's CSP refuses shows up only as a console error.
  page.on('console', (message) => void (message.type() === 'error' && problems.push(`${message.text()} ${message.location().url}`)));
  await page.goto(`${gw.adminUrl}/`);
  await page.locator('tbody[data-pool="blue"] .pool-count', { hasText: '2 / 2 available' }).waitFor();
  t.same(await page.locator('tr.pool-heading .pool-name').allTextContents(), ['blue', 'green'], 'a heading per pool');
  t.equal(await page.locator('tbody[data-pool="green"] .pool-count').textContent(), '1 / 1 available');
  t.equal(await page.locator('tbody[data-pool="blue"] tr[data-backend]').count(), 2, "blue's backends under blue");
  t.equal(await page.locator('tbody[data-pool="green"] tr[data-backend="green-1"]').count(), 1, "green's under green");
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

  const api = page.locator('tr[data-route="api"]');
  for (const text of ['api.example.com', 'prefix /v1', 'method GET, POST', 'header x-tenant ~ /^t-/']) t.match(await api.locator('td.match').innerText(), text, `api matches ${text}`);
  t.equal(await api.locator('td.target').innerText(), 'green', 'api sends to green');
  t.equal(await api.locator('td.options').innerText(), 'strips /v1');
  t.equal(await percent(page, 'blue').textContent(), '90 %', 'app sends 90 % to blue');
  t.equal(await percent(page, 'green').textContent(), '10 %', 'and 10 % to green');
  t.equal(await page.locator('tr[data-route="app"] td.options').innerText(), 'sticky by cookie user');
  const share = await page.locator('tr[data-route="app"] .side[data-pool="blue"] .bar').evaluate((bar) => bar.firstElementChild!.clientWidth / bar.clientWidth);
  t.ok(Math.abs(share - 0.9) < 0.02, `blue's bar fills ${(share * 100).toFixed(1)} % of its track`);

  // A little traffic so the screenshot has rates to show.
  for (let i = 0; i < 40; i++) await (await request(`${gw.url}/hello`)).body.dump();
  await page.waitForTimeout(1_500);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-routes.png'), fullPage: true });

  const switched = await adminCall(gw.adminUrl, 'PUT', '/routes/app/split', { token: TEST_TOKEN, body: { split: [{ pool: 'blue', weight: 0 }, { pool: 'green', weight: 100 }] } });
  t.equal(switched.status, 200, 'the split is switched to green');
  await percent(page, 'green').filter({ hasText: /^100 %$/ }).waitFor();
  t.equal(await percent(page, 'blue').textContent(), '0 %', 'the page shows 0 % blue, 100 % green');
  t.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'without a reload');

  // The pool left without a backend says so in its heading and wherever a route sends to it.
  await green1!.stop();
  await page.locator('tbody[data-pool="green"] .pool-count.bad', { hasText: '0 / 1 available' }).waitFor();
  t.equal(await api.locator('.no-backend').count(), 1, 'the route to green is marked: no backend');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-routes-switched.png'), fullPage: true });
  t.same(problems, [], 'no script errors or refused styles on the page');
});
