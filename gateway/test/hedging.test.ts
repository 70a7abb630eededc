// retry.hedgeAfterMs: a GET still without response headers after the hedge delay gets a second try on another
// backend; the first answer wins, the slower try is cancelled (its backend's in-flight count goes back to 0),
// and hedges come out of the retry budget.
import t, { type Test } from 'tap';
import { request } from 'undici';
import { startBackends, type TestBackend } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

async function delay(backend: TestBackend, delayMs: number): Promise<void> {
  await (await request(`${backend.url}/faults`, { method: 'PUT', body: JSON.stringify({ delayMs }), headers: { 'content-type': 'application/json' } })).body.dump();
}

async function gatewayOver(t: Test, delays: number[], retry: Record<string, unknown>) {
  const backends = await startBackends(delays.length);
  // Passive health off: slow answers are not failures, and the test wants every backend in rotation throughout.
  const gw = await startGateway({ backends: backends.map((b) => b.url), retry, passiveHealth: { enabled: false } });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await Promise.all(backends.map((b, i) => delay(b, delays[i]!)));
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));
  const hedges = async (outcome: string) => metricSum(gw.adminUrl, 'gateway_hedges_total', { outcome });
  return { gw, hedges };
}

t.test('the first answer wins: a slow backend costs a GET the hedge delay, not its own delay', async (t) => {
  // Three backends, so round-robin sends some first tries to the slow one and some hedges to it.
  const { gw, hedges } = await gatewayOver(t, [200, 2_000, 200], { hedgeAfterMs: 100 });
  const results = await curlTimes(`${gw.url}/hello`, 10);
  t.same(results.map((r) => r.status), Array(10).fill(200), 'every GET answered 200');
  const slowest = Math.max(...results.map((r) => r.ms));
  t.ok(slowest < 1_500, `the slowest GET took ${Math.round(slowest)} ms; backend-2 takes 2,000 ms`);
  t.notOk(results.some((r) => r.backend === 'backend-2'), 'the fast backends answered every one (first or as the hedge)');
  t.ok((await hedges('won')) >= 1, 'hedges sent after a try to backend-2 won');
  t.ok((await hedges('lost')) >= 1, 'hedges to backend-2 after a try to backend-1 lost');
  // The cancelled tries are over for the gateway at once; backend-2 sees its connections closed.
  t.same(gw.gateway.loadBalancer.list().map((m) => m.inFlight), [0, 0, 0], 'no try is left in flight');
});

t.test('with nowhere else to go the hedge is skipped, and counted', async (t) => {
  const { gw, hedges } = await gatewayOver(t, [300], { hedgeAfterMs: 50 });
  const results = await curlTimes(`${gw.url}/hello`, 3);
  t.same(results.map((r) => r.status), [200, 200, 200]);
  t.equal(await hedges('skipped'), 3, 'one skipped hedge per GET');
  t.equal((await hedges('won')) + (await hedges('lost')), 0, 'none sent');
});

t.test('hedges come out of the retry budget: a pool that is slow everywhere is not sent twice the traffic', async (t) => {
  const { gw, hedges } = await gatewayOver(t, [150, 150], { hedgeAfterMs: 20, budgetRatio: 0.2, budgetMinPerSecond: 0 });
  const results = await curlTimes(`${gw.url}/hello`, 20);
  t.same(new Set(results.map((r) => r.status)), new Set([200]), 'every GET answered');
  const sent = (await hedges('won')) + (await hedges('lost'));
  t.ok(sent <= 4, `${sent} hedges sent for 20 GETs: at most 20 % of requests`);
  t.ok((await hedges('skipped')) >= 16, 'the rest were skipped');
});

t.test('a POST is never hedged', async (t) => {
  const { gw, hedges } = await gatewayOver(t, [200, 200], { hedgeAfterMs: 20 });
  const [post] = await curlTimes(`${gw.url}/hello`, 1, ['-X', 'POST', '--data', 'Hello']);
  t.equal(post!.status, 200);
  t.equal((await hedges('won')) + (await hedges('lost')) + (await hedges('skipped')), 0, 'no hedge was even due');
});
