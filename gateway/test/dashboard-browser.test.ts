// The single-pool dashboard in a real browser (Debian's chromium via playwright-core): it shows every backend
// live under one pool heading and one route line, a killed backend's row turns down without a reload,
// drain/enable work with the admin token, and it says so when the gateway stops answering. Screenshots go to
// test-artifacts/ (ignored by git).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { launchChromium } from './helpers/chromium.js';
import { startGateway, waitFor } from './helpers/gateway.js';

const TOKEN = 'dashboard-test-token-0123456789';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Generous: the page polls every second and follows /events at once; the machine may be busy. */
const UI_TIMEOUT_MS = 8_000;

const rowState = (page: Page, id: string) => page.locator(`tr[data-backend="${id}"]`).getAttribute('data-state', { timeout: UI_TIMEOUT_MS });

t.test('the dashboard follows a killed backend live and drains with the admin token', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: backends.map((b) => b.url), admin: { host: '127.0.0.1', port: 0, token: TOKEN } });
  const browser = await launchChromium();
  let gatewayClosed = false;
  let sending = true;
  t.teardown(async () => {
    sending = false;
    await browser.close();
    if (!gatewayClosed) await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));

  // Light steady traffic so rates and p99 have something to show; bounded by the flag and a count.
  const traffic = (async () => {
    for (let i = 0; i < 5_000 && sending; i++) {
      const response = await request(`${gw.url}/hello`).catch(() => undefined);
      await response?.body.dump();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  t.teardown(() => traffic);

  const page = await browser.context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${gw.adminUrl}/`);
  for (const id of ['backend-1', 'backend-2', 'backend-3']) {
    await page.locator(`tr[data-backend="${id}"][data-state="up"]`).waitFor({ timeout: UI_TIMEOUT_MS });
  }
  t.pass('every backend is listed as up');
  // Without pools or routes in the config: one small heading for pool default and one catch-all route line.
  t.same(await page.locator('tr.pool-heading').allInnerTexts(), ['default 3 / 3 available'], 'one pool heading');
  t.same(await page.locator('#routes tbody tr').allInnerTexts(), ['default\tany request\tdefault\t—'], 'one route line');
  await page.locator('#live.pill-live').waitFor({ timeout: UI_TIMEOUT_MS });
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  t.ok(await page.locator('tr[data-backend="backend-1"] button.drain').isDisabled(), 'drain is disabled without a token');

  await backends[1]!.stop();
  const killedAt = Date.now();
  await page.locator('tr[data-backend="backend-2"][data-state="down"]').waitFor({ timeout: UI_TIMEOUT_MS });
  t.ok(Date.now() - killedAt < UI_TIMEOUT_MS, `backend-2 shown down ${Date.now() - killedAt} ms after the kill`);
  t.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'without a reload');
  t.match(await page.locator('tr[data-backend="backend-2"] [data-col="why"]').textContent(), /refused/, 'with the reason');
  await page.locator('#events li[data-backend="backend-2"][data-to="down"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
  t.pass('the change is in the event feed');

  // A wrong token is refused and the page says why.
  await page.fill('#token', 'not-the-admin-token-at-all');
  await page.click('#token-form button[type="submit"]');
  await page.click('tr[data-backend="backend-1"] button.drain');
  await page.locator('#action-status.error').waitFor({ timeout: UI_TIMEOUT_MS });
  t.match(await page.locator('#action-status').textContent(), /401/, 'a wrong token is reported as 401');
  t.not(gw.gateway.loadBalancer.get('backend-1')!.state, 'draining', 'and changes nothing');

  await page.fill('#token', TOKEN);
  await page.click('#token-form button[type="submit"]');
  await page.click('tr[data-backend="backend-1"] button.drain');
  await page.locator('tr[data-backend="backend-1"][data-state="draining"]').waitFor({ timeout: UI_TIMEOUT_MS });
  t.equal(gw.gateway.loadBalancer.get('backend-1')!.state, 'draining', 'the gateway drained backend-1');
  t.equal(await page.evaluate(() => sessionStorage.getItem('gateway-admin-token')), TOKEN, 'the token is kept for this tab only');
  // Let a few polls pass so the screenshot shows rates and p99.
  await page.waitForTimeout(2_500);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

  await page.click('tr[data-backend="backend-1"] button.enable');
  await page.locator('tr[data-backend="backend-1"][data-state="up"]').waitFor({ timeout: UI_TIMEOUT_MS });
  t.equal(gw.gateway.loadBalancer.get('backend-1')!.state, 'up', 'enable puts it back');
  t.equal(await rowState(page, 'backend-3'), 'up');

  // The gateway goes away: the page must say so rather than keep showing old numbers as live.
  sending = false;
  await traffic;
  await gw.close();
  gatewayClosed = true;
  await page.locator('#banner').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  t.match(await page.locator('#banner').textContent(), /Disconnected/);
  t.equal(await page.locator('#live').textContent(), 'disconnected');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-disconnected.png'), fullPage: true });
  t.same(pageErrors, [], 'no script errors on the page');
});
