// A frozen backend (SIGSTOP: connections accepted by the kernel, nothing answered, not even /health) holds no
// GET for longer than the hedge delay plus a normal answer, even while its probes have not yet noticed.
import t from 'tap';
import { killAll, spawnBackends } from './helpers/backend-processes.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

const HEDGE_MS = 100;

t.test('GETs hedge around a SIGSTOPped backend before any probe takes it out', async (t) => {
  const backends = await spawnBackends(2);
  // Probes every 5 s: the frozen backend stays in rotation for the whole test, so only hedging can help.
  const gw = await startGateway({ backends: backends.map((b) => b.url), healthCheck: { intervalMs: 5_000, timeoutMs: 1_000 }, retry: { hedgeAfterMs: HEDGE_MS } });
  t.teardown(async () => {
    backends[1]!.child.kill('SIGCONT');
    await gw.close();
    await killAll(backends);
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));
  await curlTimes(`${gw.url}/hello`, 4); // keep-alive connections to both exist, as under real traffic

  backends[1]!.child.kill('SIGSTOP');
  const clients = await Promise.all([0, 1, 2].map(() => curlTimes(`${gw.url}/hello`, 10)));
  const results = clients.flat();
  t.same(results.map((r) => r.status), Array(30).fill(200), 'all 30 GETs from 3 concurrent curl clients answered 200');
  const slowest = Math.max(...results.map((r) => r.ms));
  // Hedge delay + a normal answer, with a wide margin for a 2-core machine; without hedging they wait 30 s.
  t.ok(slowest < HEDGE_MS + 1_000, `the slowest GET took ${Math.round(slowest)} ms (hedge delay ${HEDGE_MS} ms)`);
  t.equal(gw.gateway.loadBalancer.get('backend-2')!.state, 'up', 'the probes had not noticed yet');
  t.ok((await metricSum(gw.adminUrl, 'gateway_hedges_total', { outcome: 'won' })) >= 1, 'hedges won the races against the frozen backend');
});
