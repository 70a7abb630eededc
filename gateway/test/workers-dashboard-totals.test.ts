// The dashboard's request totals with workers: 2: the primary serves no traffic, so /dashboard.json must add up
// its workers' counts (reported about once a second), and keep those of replaced workers, so its rates neither
// read zero nor drop after a rolling restart; it also lists each worker's served count, for per-worker rates.
import t from 'tap';
import { adminCall, TEST_TOKEN } from './helpers/admin.js';
import { curlTimes } from './helpers/curl.js';
import { waitFor } from './helpers/gateway.js';
import { listWorkers, startWorkersFleet, waitForNewWorkers } from './helpers/workers.js';

/** Four curl runs of 50 requests each, one connection each: both workers get some. */
const RUNS = 4;
const PER_RUN = 50;

async function dashboardRequests(adminUrl: string): Promise<number> {
  const snapshot = (await adminCall(adminUrl, 'GET', '/dashboard.json')).body as { backends: { requests: number }[] };
  return snapshot.backends.reduce((sum, backend) => sum + backend.requests, 0);
}

t.test('/dashboard.json counts the workers\' requests, and keeps them across a rolling restart', async (t) => {
  const { gateway } = await startWorkersFleet(t, 2);
  const results = (await Promise.all(Array.from({ length: RUNS }, () => curlTimes(`${gateway.url}/hello`, PER_RUN)))).flat();
  t.equal(results.filter((result) => result.status === 200).length, RUNS * PER_RUN, `${RUNS * PER_RUN} requests answered`);
  await waitFor(async () => (await dashboardRequests(gateway.adminUrl)) === RUNS * PER_RUN, 10_000);
  t.pass(`the dashboard counts ${RUNS * PER_RUN} requests`);
  const workers = await listWorkers(gateway.adminUrl);
  t.equal(workers.reduce((sum, worker) => sum + worker.served, 0), RUNS * PER_RUN, `served per worker: ${workers.map((worker) => worker.served).join(' + ')}`);
  const perWorker = ((await adminCall(gateway.adminUrl, 'GET', '/dashboard.json')).body as { workers: { pid: number; served: number }[] }).workers;
  t.same(perWorker.map((worker) => worker.pid).sort(), workers.map((worker) => worker.pid).sort(), 'the dashboard lists both workers');
  t.equal(perWorker.reduce((sum, worker) => sum + worker.served, 0), RUNS * PER_RUN, 'with what each served');

  const restart = await adminCall(gateway.adminUrl, 'POST', '/workers/restart', { token: TEST_TOKEN });
  t.equal(restart.status, 202, 'rolling restart started');
  await waitForNewWorkers(gateway.adminUrl, workers.map((worker) => worker.pid));
  await curlTimes(`${gateway.url}/hello`, PER_RUN);
  await waitFor(async () => (await dashboardRequests(gateway.adminUrl)) === RUNS * PER_RUN + PER_RUN, 10_000);
  t.pass('after the restart the totals go on from where they were');
});
