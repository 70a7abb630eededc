// Conformance: a canary split. A route split 80/20 between pools stable and canary sends 1,000 GETs within 5
// points of 80 % to stable (four standard deviations of a fair 80/20 draw), on every target.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { spawnBackend } from '../helpers/backend-processes.js';
import { SETTLE_MS, startRoutedTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequests } from '../helpers/timed-request.js';

const REQUESTS = 1_000;

for (const name of TARGETS) {
  t.test(`${name}: an 80/20 split over ${REQUESTS} requests`, async (t) => {
    const [stable, canary] = await Promise.all([spawnBackend('stable-1'), spawnBackend('canary-1')]);
    const target = await startRoutedTarget(
      name,
      {
        pools: { stable: { backends: [{ id: 'stable-1', url: stable.url }] }, canary: { backends: [{ id: 'canary-1', url: canary.url }] } },
        routes: [{ name: 'app', split: [{ pool: 'stable', weight: 80 }, { pool: 'canary', weight: 20 }] }],
      },
      [{ path: '/health' }],
    );
    t.teardown(async () => {
      await target.stop();
      await Promise.all([stable.kill(), canary.kill()]);
    });
    await sleep(SETTLE_MS); // the gateway admits each backend on its first good probe

    const responses = await timedRequests(REQUESTS, `${target.url}/hello`);
    t.equal(responses.filter((response) => response.status !== 200).length, 0, 'every request answered 200');
    const count = (backend: string) => responses.filter((response) => response.backend === backend).length;
    const [toStable, toCanary] = [count('stable-1'), count('canary-1')];
    t.equal(toStable + toCanary, REQUESTS, 'every answer came from one of the two pools');
    t.ok(Math.abs(toStable / REQUESTS - 0.8) <= 0.05, `stable took ${((toStable / REQUESTS) * 100).toFixed(1)} % (80 ± 5)`);
  });
}
