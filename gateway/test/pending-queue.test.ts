// Per-backend concurrency caps with the pool's queue (concurrency.*), through a real gateway with curl: a backend
// never has more than maxPerBackend requests at once, a request that finds every backend at its cap waits and
// is served when a slot frees, a full queue answers 503 backend_busy at once, a wait past queueTimeoutMs answers
// 503 backend_busy after about that long, and a busy backend is not a failed one (not ejected, no retries).
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startCountingServer, type CountingServer } from './helpers/counting-server.js';
import { curlOnce } from './helpers/curl.js';
import { startGateway } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

/** A backend that answers after delayMs and remembers the most requests it held at once. */
async function slowBackend(delayMs: number): Promise<CountingServer & { peak: () => number }> {
  let now = 0;
  let peak = 0;
  const server = await startCountingServer((_req, res) => {
    now += 1;
    peak = Math.max(peak, now);
    setTimeout(() => {
      now -= 1;
      res.end('ok');
    }, delayMs);
  });
  return Object.assign(server, { peak: () => peak });
}

/** count requests started staggerMs apart, so they reach the gateway in order. */
async function burst(url: string, count: number, staggerMs = 150) {
  return Promise.all(Array.from({ length: count }, async (_, index) => {
    await sleep(index * staggerMs);
    return curlOnce(url);
  }));
}

t.test('cap 2: the 3rd concurrent request waits for a free slot, then is served', async (t) => {
  const backend = await slowBackend(1_000);
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, concurrency: { maxPerBackend: 2 } });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });

  const answers = await burst(`${gw.url}/x`, 3);
  t.same(answers.map((a) => a.status), [200, 200, 200], 'all three are served');
  t.equal(backend.peak(), 2, 'the backend never held more than 2 at once');
  // Whichever came 3rd (a busy machine may start the curls out of order) waited for a slot.
  const slowest = Math.max(...answers.map((a) => a.ms));
  t.ok(slowest >= 1_500, `the 3rd waited for a slot to free (${Math.round(slowest)} ms, ~2 s expected)`);
  t.equal(await metricSum(gw.adminUrl, 'gateway_shed_total'), 0, 'nothing shed');
});

t.test('queue full: 503 backend_busy at once, with Retry-After', async (t) => {
  const backend = await slowBackend(2_000);
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, concurrency: { maxPerBackend: 1, maxPending: 1, queueTimeoutMs: 10_000 } });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });

  const answers = await burst(`${gw.url}/x`, 3);
  // By status, not position: a busy machine may start the curls out of order.
  t.same(answers.map((a) => a.status).sort(), [200, 200, 503], 'one served, one waited in the queue and was served, one refused (the queue holds 1)');
  const refused = answers.find((a) => a.status === 503);
  t.ok(refused!.ms < 1_000, `…at once (${Math.round(refused!.ms)} ms, the backend takes 2 s)`);
  t.match(JSON.parse(refused!.body), { error: 'backend_busy', requestId: /.+/ }, 'the gateway’s JSON error names backend_busy');
  t.equal(refused!.retryAfter, '1', 'Retry-After: 1');
  t.equal(await metricSum(gw.adminUrl, 'gateway_shed_total', { reason: 'pending_full' }), 1, 'gateway_shed_total{reason="pending_full"}');
  t.equal(await metricSum(gw.adminUrl, 'gateway_no_backend_total'), 0, 'not counted as no backend available');
});

t.test('queue timeout: 503 backend_busy after about queueTimeoutMs', async (t) => {
  const backend = await slowBackend(3_000);
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, concurrency: { maxPerBackend: 1, queueTimeoutMs: 600 } });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });

  const answers = await burst(`${gw.url}/x`, 2);
  t.same(answers.map((a) => a.status).sort(), [200, 503], 'one served after 3 s, the other found no slot within 600 ms');
  const timedOut = answers.find((a) => a.status === 503);
  t.ok(timedOut!.ms >= 550 && timedOut!.ms < 2_000, `…after about 600 ms (${Math.round(timedOut!.ms)} ms)`);
  t.match(JSON.parse(timedOut!.body), { error: 'backend_busy' });
  t.equal(backend.arrivals.get('GET /x'), 1, 'the backend saw only the request it had room for');
  t.equal(await metricSum(gw.adminUrl, 'gateway_shed_total', { reason: 'backend_busy' }), 1, 'gateway_shed_total{reason="backend_busy"}');
});

t.test('a busy backend is not a failed one: not ejected, no retry spent', async (t) => {
  const first = await slowBackend(1_500);
  const second = await slowBackend(1_500);
  const gw = await startGateway({
    backends: [first.url, second.url],
    healthCheck: { enabled: false },
    // One failure would eject: a busy answer counted as one would show at once.
    passiveHealth: { maxFails: 1 },
    concurrency: { maxPerBackend: 1, maxPending: 1, queueTimeoutMs: 300 },
  });
  t.teardown(async () => {
    await gw.close();
    await first.close();
    await second.close();
  });

  const answers = await burst(`${gw.url}/x`, 6, 50);
  const statuses = answers.map((a) => a.status).sort();
  t.same(statuses, [200, 200, 503, 503, 503, 503], 'two served (one per backend), the rest shed');
  t.equal(first.peak() + second.peak(), 2, 'each backend held one at a time');
  const pool = (await (await fetch(`${gw.adminUrl}/pool`)).json()) as { backends: { state: string }[] };
  t.same(pool.backends.map((b) => b.state), ['up', 'up'], 'both backends are still up');
  t.equal(await metricSum(gw.adminUrl, 'gateway_backend_transitions_total', { to: 'ejected' }), 0, 'no ejection');
  t.equal(await metricSum(gw.adminUrl, 'gateway_retries_total'), 0, 'no retry');
  t.equal(await metricSum(gw.adminUrl, 'gateway_shed_total', { reason: 'pending_full' }) + await metricSum(gw.adminUrl, 'gateway_shed_total', { reason: 'backend_busy' }), 4, 'the 4 refusals are counted as shed');
});
