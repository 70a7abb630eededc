// Conformance: every target spreads GETs round-robin, so with 3 healthy backends 30 requests give each 10 ± 1.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { killAll, spawnBackends } from '../helpers/backend-processes.js';
import { SETTLE_MS, startTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequests } from '../helpers/timed-request.js';

for (const name of TARGETS) {
  t.test(`${name}: 30 GETs over 3 backends give each 10 ± 1`, async (t) => {
    const backends = await spawnBackends(3);
    const target = await startTarget(name, backends.map((backend) => backend.url));
    t.teardown(async () => {
      await target.stop();
      await killAll(backends);
    });
    await sleep(SETTLE_MS); // the gateway admits each backend on its first good probe

    const responses = await timedRequests(30, `${target.url}/hello`);
    const perBackend = new Map<string, number>();
    for (const response of responses) perBackend.set(response.backend ?? 'none', (perBackend.get(response.backend ?? 'none') ?? 0) + 1);
    t.same([...perBackend.keys()].sort(), ['backend-1', 'backend-2', 'backend-3'], 'every backend took requests');
    for (const [backend, count] of perBackend) t.ok(Math.abs(count - 10) <= 1, `${backend} took ${count} of 30`);
  });
}
