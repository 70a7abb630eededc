// One /metrics for a multi-process gateway: the admin listener (the primary's) counts the requests of every
// worker, and gateway_build_info says how many workers run.
import t from 'tap';
import { curlTimes } from './helpers/curl.js';
import { find, parseExposition, sum } from './helpers/prometheus-text.js';
import { listWorkers, startWorkersFleet } from './helpers/workers.js';

t.test('/metrics sums the requests of both workers', async (t) => {
  const { gateway } = await startWorkersFleet(t, 1);
  const results = await curlTimes(`${gateway.url}/hello`, 30, ['-H', 'connection: close']);
  t.equal(results.filter((result) => result.status === 200).length, 30, '30 requests answered');

  const exposition = parseExposition(await (await fetch(`${gateway.adminUrl}/metrics`)).text());
  t.equal(sum(exposition, 'gateway_requests_total', { backend: 'backend-1', code: '200' }), 30, 'all 30 counted, whichever worker served them');
  t.equal(sum(exposition, 'gateway_request_duration_seconds_count', { backend: 'backend-1' }), 30, 'and timed');
  t.equal(find(exposition, 'gateway_build_info')[0]?.labels.workers, '2', 'gateway_build_info has workers="2"');
  t.equal(sum(exposition, 'gateway_backend_up', { backend: 'backend-1' }), 1, 'backend up, from the primary (once, not per worker)');
  t.equal(find(exposition, 'gateway_backend_up').length, 1, 'one backend_up series');
  t.equal((await listWorkers(gateway.adminUrl)).length, 2, 'two workers behind it');
});
