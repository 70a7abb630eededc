// Conformance: a killed backend costs no failed GET. In the window right after the kill every target retries
// the refused connection on another backend; after the checks had time to notice (interval × fall + timeout,
// tripled) none goes to the dead backend any more (nginx: passive max_fails instead of checks).
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { killAll, spawnBackends } from '../helpers/backend-processes.js';
import { SETTLE_MS, startTarget, TARGETS } from '../helpers/proxy-targets.js';
import { statusCounts, timedRequest, timedRequests, type TimedResponse } from '../helpers/timed-request.js';

const MAX_WINDOW_REQUESTS = 300;

for (const name of TARGETS) {
  t.test(`${name}: a killed backend costs no failed GET`, async (t) => {
    const backends = await spawnBackends(3);
    const target = await startTarget(name, backends.map((backend) => backend.url));
    t.teardown(async () => {
      await target.stop();
      await killAll(backends);
    });
    await sleep(SETTLE_MS);

    await backends[1]!.kill();
    const killedAt = performance.now();
    const window: TimedResponse[] = [];
    while (performance.now() - killedAt < SETTLE_MS && window.length < MAX_WINDOW_REQUESTS) window.push(await timedRequest(`${target.url}/hello`));
    const windowFailures = window.filter((response) => response.status !== 200).length;
    t.equal(windowFailures, 0, `no GET failed in the ${SETTLE_MS} ms after the kill (${JSON.stringify(statusCounts(window))})`);

    const after = await timedRequests(30, `${target.url}/hello`);
    t.same(statusCounts(after), { 200: 30 }, 'every GET after the settling time succeeded');
    t.notOk(after.some((response) => response.backend === 'backend-2'), 'none was answered by the killed backend');
  });
}
