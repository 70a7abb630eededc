// Conformance: a route limited to a burst of 5 per client (header x-client-id) lets a client's first 5 requests
// through and answers the next ones 429, on all three targets; another client is not affected. The rate (one per
// 10 s) is low enough that nothing refills while curl sends its requests, so every target must give the same answers.
import t from 'tap';
import { spawnBackend } from '../helpers/backend-processes.js';
import { curlTimes } from '../helpers/curl.js';
import { startRoutedTarget, TARGETS } from '../helpers/proxy-targets.js';

const BURST = 5;
const SENT = BURST + 3;

for (const name of TARGETS) {
  t.test(`${name}: 429 after the burst, per client`, async (t) => {
    const backend = await spawnBackend('backend-1');
    const target = await startRoutedTarget(
      name,
      {
        pools: { app: { backends: [{ id: 'backend-1', url: backend.url }] } },
        routes: [
          { name: 'limited', match: { pathPrefix: '/limited' }, pool: 'app', stripPrefix: true, rateLimit: { rate: 0.1, burst: BURST, key: 'header:x-client-id' } },
          { name: 'rest', pool: 'app' },
        ],
      },
      [{ path: '/health' }],
    );
    t.teardown(async () => {
      await target.stop();
      await backend.kill();
    });

    // One curl, one kept-alive connection, SENT requests in a row.
    const abuser = await curlTimes(`${target.url}/limited/hello`, SENT, ['-H', 'x-client-id: abuser']);
    const statuses = abuser.map((result) => result.status);
    t.same(statuses.slice(0, BURST), Array(BURST).fill(200), `the first ${BURST} pass`);
    t.same(statuses.slice(BURST), Array(SENT - BURST).fill(429), 'the rest are refused with 429');
    t.ok(abuser.slice(BURST).every((result) => result.backend === ''), 'a refused request never reaches the backend');

    const other = await curlTimes(`${target.url}/limited/hello`, 1, ['-H', 'x-client-id: someone-else']);
    t.equal(other[0]?.status, 200, 'another client has its own burst');
    const unlimited = await curlTimes(`${target.url}/hello`, 1, ['-H', 'x-client-id: abuser']);
    t.equal(unlimited[0]?.status, 200, 'the limit is the route\'s: another route still serves the abuser');
  });
}
