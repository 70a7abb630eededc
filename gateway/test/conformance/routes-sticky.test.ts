// Conformance: stickiness by cookie, end to end. A 50/50 split sticky on the cookie "user" between pools blue and
// green, each a consistent hash on the same cookie over two backends: every request of one user reaches the same
// backend, and the users spread over both pools, on every target. Which backend a user gets differs between the
// targets (each hashes its own way); that it stays the same does not.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { killAll, spawnBackend } from '../helpers/backend-processes.js';
import { SETTLE_MS, startRoutedTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequest } from '../helpers/timed-request.js';

const USERS = 20;
const REQUESTS_PER_USER = 5;

for (const name of TARGETS) {
  t.test(`${name}: one user, one backend; users spread over both pools`, async (t) => {
    const backends = await Promise.all(['blue-1', 'blue-2', 'green-1', 'green-2'].map(spawnBackend));
    const pool = (prefix: string) => ({
      backends: backends.filter((backend) => backend.id.startsWith(prefix)).map((backend) => ({ id: backend.id, url: backend.url })),
      policy: 'consistent-hash',
      hashOn: 'cookie:user',
    });
    const target = await startRoutedTarget(
      name,
      {
        pools: { blue: pool('blue'), green: pool('green') },
        routes: [{ name: 'app', split: [{ pool: 'blue', weight: 50 }, { pool: 'green', weight: 50 }], sticky: { cookie: 'user' } }],
      },
      [{ path: '/health' }],
    );
    t.teardown(async () => {
      await target.stop();
      await killAll(backends);
    });
    // Every backend must be in before the first user: one joining later would take over some users' keys.
    await sleep(SETTLE_MS);

    const backendOf = new Map<string, Set<string | undefined>>();
    for (let user = 1; user <= USERS; user++) {
      const seen = new Set<string | undefined>();
      // Other cookies around it must not change the key.
      for (let i = 0; i < REQUESTS_PER_USER; i++) seen.add((await timedRequest(`${target.url}/hello`, { headers: { cookie: `theme=${i}; user=user-${user}` } })).backend);
      backendOf.set(`user-${user}`, seen);
    }
    const wandering = [...backendOf].filter(([, seen]) => seen.size !== 1 || seen.has(undefined));
    t.same(wandering.map(([user, seen]) => `${user}: ${[...seen].join(', ')}`), [], `each of ${USERS} users stayed on one backend for ${REQUESTS_PER_USER} requests`);
    const used = new Set([...backendOf.values()].flatMap((seen) => [...seen].map((backend) => backend?.split('-')[0])));
    t.same([...used].sort(), ['blue', 'green'], 'the users spread over both pools');
  });
}
