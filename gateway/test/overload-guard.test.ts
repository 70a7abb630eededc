// Gateway-wide shedding (overload.*) through a real gateway with curl: past maxConcurrentRequests, or while the
// event loop lags past maxEventLoopDelayMs, a new request gets a fast 503 overloaded with Retry-After before
// routing, the admin listener's /healthz keeps answering, and requests are admitted again once the load is gone.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { curlOnce } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

t.test('past maxConcurrentRequests: 503 overloaded at once, with Retry-After; admin /healthz answers', async (t) => {
  const backend = await startCountingServer((_req, res) => setTimeout(() => res.end('ok'), 1_500));
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, overload: { maxConcurrentRequests: 2, retryAfterSeconds: 3 } });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });

  const admitted = [curlOnce(`${gw.url}/slow`), curlOnce(`${gw.url}/slow`)];
  await waitFor(() => backend.arrivals.get('GET /slow') === 2);
  const shed = await curlOnce(`${gw.url}/slow`);
  t.equal(shed.status, 503, 'the 3rd concurrent request is shed');
  t.ok(shed.ms < 1_000, `…at once (${Math.round(shed.ms)} ms; the backend takes 1.5 s)`);
  t.equal(shed.retryAfter, '3', 'Retry-After is overload.retryAfterSeconds');
  t.match(JSON.parse(shed.body), { error: 'overloaded', requestId: /.+/ }, 'the gateway’s JSON error names overloaded');
  t.equal(backend.arrivals.get('GET /slow'), 2, 'the shed request never reached the backend');
  const healthz = await fetch(`${gw.adminUrl}/healthz`);
  t.equal(healthz.status, 200, 'the admin listener still answers /healthz');

  t.same((await Promise.all(admitted)).map((a) => a.status), [200, 200], 'the admitted requests are served');
  t.equal((await curlOnce(`${gw.url}/slow`)).status, 200, 'with the load gone, requests are admitted again');
  t.equal(await metricSum(gw.adminUrl, 'gateway_shed_total', { reason: 'concurrent_requests' }), 1, 'gateway_shed_total{reason="concurrent_requests"}');
  t.equal(await metricSum(gw.adminUrl, 'gateway_no_backend_total'), 0, 'not counted as no backend available');
});

t.test('event loop delay past maxEventLoopDelayMs: 503 overloaded until it is back under', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, overload: { maxEventLoopDelayMs: 30 } });
  // The gateway runs in this process: blocking its event loop 300 ms out of every ~320 is a saturated gateway.
  let blocking = true;
  const block = () => {
    if (!blocking) return;
    const until = Date.now() + 300;
    while (Date.now() < until);
    setTimeout(block, 20);
  };
  t.teardown(async () => {
    blocking = false;
    await gw.close();
    await backend.close();
  });

  t.equal((await curlOnce(`${gw.url}/x`)).status, 200, 'unloaded: served');
  block();
  await sleep(1_000);
  const shed = await curlOnce(`${gw.url}/x`);
  t.equal(shed.status, 503, 'while the loop lags: shed');
  t.match(JSON.parse(shed.body), { error: 'overloaded' });
  t.equal(shed.retryAfter, '1', 'Retry-After: the default 1 s');
  t.equal((await fetch(`${gw.adminUrl}/healthz`)).status, 200, 'the admin listener still answers /healthz');
  blocking = false;
  const ms = await waitFor(async () => (await curlOnce(`${gw.url}/x`)).status === 200, 5_000, 100);
  t.ok(ms < 5_000, `admitted again ${ms} ms after the lag stopped`);
  t.ok(await metricSum(gw.adminUrl, 'gateway_shed_total', { reason: 'event_loop_delay' }) >= 1, 'gateway_shed_total{reason="event_loop_delay"}');
});
