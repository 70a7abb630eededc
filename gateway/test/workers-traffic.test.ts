// workers: 2 serves traffic from two processes: requests on new connections are spread over both workers
// (GET /workers counts what each served) and over both backends (x-backend-id), all answered 200.
import t from 'tap';
import { curlTimes } from './helpers/curl.js';
import { waitFor } from './helpers/gateway.js';
import { listWorkers, startWorkersFleet } from './helpers/workers.js';

t.test('two workers both take traffic, to both backends', async (t) => {
  const { backends, gateway } = await startWorkersFleet(t, 2);
  const workers = await listWorkers(gateway.adminUrl);
  t.equal(workers.length, 2, 'two workers');
  t.not(workers[0]!.pid, workers[1]!.pid, 'in two processes');
  t.ok(workers.every((worker) => worker.state === 'listening' && worker.pid !== gateway.child.pid), 'both listening, neither is the primary');

  // Connection: close makes curl open a new connection per request: node:cluster hands them out round-robin.
  const results = await curlTimes(`${gateway.url}/hello`, 40, ['-H', 'connection: close']);
  t.same(new Set(results.map((result) => result.status)), new Set([200]), 'every request answered 200');
  t.same(new Set(results.map((result) => result.backend)), new Set(['backend-1', 'backend-2']), 'both backends answered');

  // Workers report their load about once a second.
  await waitFor(async () => (await listWorkers(gateway.adminUrl)).reduce((sum, worker) => sum + worker.served, 0) >= 40, 5_000, 100);
  const served = (await listWorkers(gateway.adminUrl)).map((worker) => worker.served);
  t.ok(served.every((count) => count >= 5), `both workers served part of the 40 requests (${served.join(' + ')})`);
});
