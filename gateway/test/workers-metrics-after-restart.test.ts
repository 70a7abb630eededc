// /metrics across a rolling restart: the requests the old workers served stay counted after they exit, so
// Prometheus sees counters that only grow, not a reset each time the gateway is redeployed.
import t from 'tap';
import { adminCall, TEST_TOKEN } from './helpers/admin.js';
import { curlTimes } from './helpers/curl.js';
import { parseExposition, sum } from './helpers/prometheus-text.js';
import { listWorkers, startWorkersFleet, waitForNewWorkers } from './helpers/workers.js';

t.test('requests served before a rolling restart are still counted after it', async (t) => {
  const { gateway } = await startWorkersFleet(t, 1);
  const scrape = async () => parseExposition(await (await fetch(`${gateway.adminUrl}/metrics`)).text());
  const served = async (count: number) => (await curlTimes(`${gateway.url}/hello`, count, ['-H', 'connection: close'])).filter((result) => result.status === 200).length;

  t.equal(await served(30), 30, '30 requests answered by the first workers');
  const before = await scrape();
  t.equal(sum(before, 'gateway_requests_total', { backend: 'backend-1', code: '200' }), 30, '30 counted before the restart');

  const old = (await listWorkers(gateway.adminUrl)).map((worker) => worker.pid);
  const restart = await adminCall(gateway.adminUrl, 'POST', '/workers/restart', { token: TEST_TOKEN });
  t.equal(restart.status, 202, 'POST /workers/restart accepted');
  const replaced = await waitForNewWorkers(gateway.adminUrl, old);
  t.pass(`workers ${old.join(', ')} replaced by ${replaced.map((worker) => worker.pid).join(', ')}`);

  const between = await scrape();
  t.equal(sum(between, 'gateway_requests_total', { backend: 'backend-1', code: '200' }), 30, 'still 30 after the old workers exited');
  t.equal(sum(between, 'gateway_request_duration_seconds_count', { backend: 'backend-1' }), 30, 'and their durations too');
  t.equal(await served(10), 10, '10 more answered by the new workers');
  const after = await scrape();
  t.equal(sum(after, 'gateway_requests_total', { backend: 'backend-1', code: '200' }), 40, 'old and new workers add up to 40');
  t.ok(sum(after, 'process_cpu_seconds_total', {}) >= sum(before, 'process_cpu_seconds_total', {}), 'the CPU counter did not go back either');
});
