// Rolling restart under load: SIGUSR2 and POST /workers/restart each replace both workers one at a time, each
// new worker listening before the old one drains, while 50 autocannon clients run: not one request fails.
import t from 'tap';
import { adminCall, TEST_TOKEN } from './helpers/admin.js';
import { listWorkers, startLoad, startWorkersFleet, waitForNewWorkers } from './helpers/workers.js';

t.test('SIGUSR2 and POST /workers/restart under 50 clients: 0 failed requests', async (t) => {
  const { gateway } = await startWorkersFleet(t, 2);
  const first = (await listWorkers(gateway.adminUrl)).map((worker) => worker.pid);
  const load = startLoad(gateway.url, 50, 90);
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  gateway.child.kill('SIGUSR2');
  const second = (await waitForNewWorkers(gateway.adminUrl, first)).map((worker) => worker.pid);
  t.pass(`SIGUSR2 replaced workers ${first.join(', ')} with ${second.join(', ')}`);

  const restart = await adminCall(gateway.adminUrl, 'POST', '/workers/restart', { token: TEST_TOKEN });
  t.match(restart, { status: 202, body: { restarting: true, workers: 2 } }, 'POST /workers/restart accepted');
  const again = await adminCall(gateway.adminUrl, 'POST', '/workers/restart', { token: TEST_TOKEN });
  t.match(again, { status: 409, body: { error: 'restart_running' } }, 'a second restart while one runs is refused');
  const third = (await waitForNewWorkers(gateway.adminUrl, second)).map((worker) => worker.pid);
  t.pass(`POST /workers/restart replaced workers ${second.join(', ')} with ${third.join(', ')}`);
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const result = await load.stop();
  t.ok(result.requests.total > 100, `${result.requests.total} requests during two rolling restarts`);
  t.equal(result.errors + result.timeouts, 0, `no connection error (${result.errors}) or timeout (${result.timeouts})`);
  t.equal(result.non2xx, 0, 'no non-2xx answer');
  const unauthorised = await adminCall(gateway.adminUrl, 'POST', '/workers/restart');
  t.equal(unauthorised.status, 401, 'the restart needs the admin token');
});
