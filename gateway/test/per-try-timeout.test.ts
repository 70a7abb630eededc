// retry.perTryTimeoutMs: a backend that passes its health checks but hangs requests costs a GET at most the
// per-try timeout plus a normal answer from another backend, instead of proxy.headersTimeoutMs and a 504.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

const PER_TRY_MS = 300;

t.test('GETs leave a hanging backend after the per-try timeout and are answered by another', async (t) => {
  const backends = await startBackends(2);
  const gw = await startGateway({ backends: backends.map((b) => b.url), retry: { perTryTimeoutMs: PER_TRY_MS }, proxy: { headersTimeoutMs: 30_000 } });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  // The demo backend's switch: /health still answers, everything else is accepted and never answered.
  await (await request(`${backends[1]!.url}/faults`, { method: 'PUT', body: '{"hang":true}', headers: { 'content-type': 'application/json' } })).body.dump();
  await new Promise((resolve) => setTimeout(resolve, 500)); // both backends up (probes every 200 ms)

  const results = await curlTimes(`${gw.url}/hello`, 10);
  t.same(results.map((r) => r.status), Array(10).fill(200), 'every GET answered 200');
  t.same([...new Set(results.map((r) => r.backend))], ['backend-1'], 'by the backend that answers');
  const slowest = Math.max(...results.map((r) => r.ms));
  // Generous for a loaded 2-core machine; without the per-try timeout a GET sent to backend-2 would wait 30 s.
  t.ok(slowest < PER_TRY_MS + 1_500, `the slowest GET took ${Math.round(slowest)} ms (per-try timeout ${PER_TRY_MS} ms)`);
  t.ok((await metricSum(gw.adminUrl, 'gateway_retries_total', { reason: 'timeout' })) >= 1, 'counted as retries after a timeout');
});

t.test('a POST is not cut by the per-try timeout: it may already have been acted on', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ backends: [backend!.url], retry: { perTryTimeoutMs: 100 } });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  await (await request(`${backend!.url}/faults`, { method: 'PUT', body: '{"delayMs":400}', headers: { 'content-type': 'application/json' } })).body.dump();
  await new Promise((resolve) => setTimeout(resolve, 500));

  const [post] = await curlTimes(`${gw.url}/hello`, 1, ['-X', 'POST', '--data', 'Hello']);
  t.equal(post!.status, 200, 'the slow POST is answered, not timed out after 100 ms');
  const [get] = await curlTimes(`${gw.url}/hello`, 1);
  t.equal(get!.status, 504, 'a GET with no other backend to go to gets 504 after its per-try timeout');
});
