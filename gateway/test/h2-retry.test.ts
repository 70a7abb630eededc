// Retries for HTTP/2 streams: with one of two backends down (refusing connections) and still in the pool,
// all 20 GETs of h2load over one HTTP/2 connection are answered 2xx by the other, each refused try retried there.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

const run = promisify(execFile);

t.test('a backend down: h2 streams are retried on the other one', async (t) => {
  const [down, up] = await startBackends(2);
  // Probes far apart: the stopped backend stays in rotation, so only retries can save its share.
  const gw = await startGateway({ backends: [down!.url, up!.url], http2: { h2cPort: 0 }, healthCheck: { intervalMs: 60_000, timeoutMs: 1_000 }, passiveHealth: { maxFails: 1000 } });
  t.teardown(async () => {
    await gw.close();
    await up!.stop();
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 2);
  await down!.stop();

  // (curl 7.88 cannot send a second request on a reused prior-knowledge connection: h2load does.)
  const { stdout } = await run('h2load', ['-n', '20', '-c', '1', '-m', '1', `http://127.0.0.1:${gw.h2cPort!}/hello`], { timeout: 30_000 });
  t.match(stdout, /status codes: 20 2xx, 0 3xx, 0 4xx, 0 5xx/, 'every stream answered 2xx');
  const served = new Map([...gw.gateway.pools.members()].map((member) => [member.id, member.served]));
  t.same(Object.fromEntries(served), { 'backend-1': 0, 'backend-2': 20 }, 'by the backend that is up');
  const retries = await metricSum(gw.adminUrl, 'gateway_retries_total');
  // Round-robin hands the stopped backend at least every other first try (the retry takes the other one's turn).
  t.ok(retries >= 10 && retries <= 20, `streams sent to the stopped backend were retried (${retries} retries)`);
});
