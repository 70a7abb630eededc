// A worker killed with SIGKILL under load is logged with its signal and replaced at once: only the requests
// it had in flight are lost, the other worker keeps serving, and the replacement takes traffic.
import t from 'tap';
import { curlTimes } from './helpers/curl.js';
import { listWorkers, startLoad, startWorkersFleet, waitForNewWorkers } from './helpers/workers.js';

const CONNECTIONS = 50;

t.test('kill -9 one worker under 50 clients: replaced, only its in-flight requests lost', async (t) => {
  const { gateway } = await startWorkersFleet(t, 2);
  const [victim, survivor] = (await listWorkers(gateway.adminUrl)).map((worker) => worker.pid);
  const load = startLoad(gateway.url, CONNECTIONS);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  process.kill(victim!, 'SIGKILL');

  const workers = await waitForNewWorkers(gateway.adminUrl, [victim!]);
  t.ok(workers.some((worker) => worker.pid === survivor), 'the other worker kept running');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const result = await load.stop();
  // At most one request in flight per client connection the dead worker held.
  t.ok(result.errors + result.timeouts <= CONNECTIONS, `${result.errors} errors and ${result.timeouts} timeouts of ${result.requests.total} requests: no more than its connections`);
  t.equal(result.non2xx, 0, 'every answered request was a 2xx');
  t.ok(result.requests.total > 100, `${result.requests.total} requests served meanwhile`);
  t.ok(gateway.logs.some((line) => line.msg === `worker ${victim} died (signal SIGKILL): replacing it`), 'the death is logged with the signal');

  const after = await curlTimes(`${gateway.url}/hello`, 20, ['-H', 'connection: close']);
  t.same(new Set(after.map((response) => response.status)), new Set([200]), 'both workers serve after the replacement');
});
