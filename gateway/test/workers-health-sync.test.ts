// A multi-process gateway probes from its primary only; the verdict reaches every worker at once. A killed
// backend is marked down by the primary's probe, and within half a second of that no worker tries it any more:
// requests on new connections (spread over both workers) all go to the other backend without a retry.
import t from 'tap';
import { pool } from './helpers/admin.js';
import { spawnBackends, killAll } from './helpers/backend-processes.js';
import { curlTimes } from './helpers/curl.js';
import { waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';
import { spawnWorkersGateway, stopGateway } from './helpers/workers.js';

/** The primary's verdict must be in every worker this soon (the issue asks for 50 ms; margin for a busy machine). */
const PROPAGATION_MS = 500;

t.test('a backend the primary marks down is out of every worker within half a second', async (t) => {
  const backends = await spawnBackends(2);
  // Passive health off: only the primary's active probe can take the backend out.
  const gateway = await spawnWorkersGateway(backends, { GATEWAY_PASSIVE_HEALTH_ENABLED: 'false' });
  t.teardown(async () => {
    await stopGateway(gateway);
    await killAll(backends);
  });
  const before = await curlTimes(`${gateway.url}/hello`, 10, ['-H', 'connection: close']);
  t.same(new Set(before.map((result) => result.backend)), new Set(['backend-1', 'backend-2']), 'both backends serve at first');

  await backends[1]!.kill();
  await waitFor(async () => (await pool(gateway.adminUrl)).find((entry) => entry.id === 'backend-2')?.state === 'down', 10_000);
  await new Promise((resolve) => setTimeout(resolve, PROPAGATION_MS));
  const retriesBefore = await metricSum(gateway.adminUrl, 'gateway_retries_total');
  const after = await curlTimes(`${gateway.url}/hello`, 40, ['-H', 'connection: close']);
  t.same(new Set(after.map((result) => `${result.status} ${result.backend}`)), new Set(['200 backend-1']), 'all 40 answered by backend-1');
  t.equal(await metricSum(gateway.adminUrl, 'gateway_retries_total'), retriesBefore, 'no worker tried the dead backend first (no retry at all)');
  const flips = gateway.logs.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('backend backend-2 '));
  t.ok(flips.some((line) => line.msg === 'backend backend-2 down: refused'), 'the primary logged the flip with its reason');
  t.same(new Set(flips.map((line) => line.pid)), new Set([gateway.child.pid]), 'state changes are logged by the primary only, not once per worker');
});
