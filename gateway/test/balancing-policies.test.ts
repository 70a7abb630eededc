// The balancing policies through a real gateway with real clients: consistent hashing keeps one user on one
// backend (curl with a header); least-outstanding sends fewer requests to a slow backend under concurrency.
import autocannon from 'autocannon';
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';

t.test('consistent-hash on a header: each user always reaches the same backend, users spread over all', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ pools: { default: { backends: backends.map((b) => b.url), policy: 'consistent-hash', hashOn: 'header:x-user' } } });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 3);
  const homes = new Map<string, string>();
  for (const user of ['ana', 'bo', 'cy', 'dee', 'eli', 'fay', 'gus', 'hal', 'ivy', 'jo', 'kai', 'lu']) {
    const seen = new Set((await curlTimes(`${gw.url}/hello`, 4, ['-H', `X-User: ${user}`])).map((r) => r.backend));
    t.equal(seen.size, 1, `${user} stayed on one backend`);
    homes.set(user, [...seen][0]!);
  }
  t.ok(new Set(homes.values()).size >= 2, `12 users spread over ${new Set(homes.values()).size} backends`);
});

t.test('least-outstanding: a slow backend gets a small share under 20 concurrent clients', async (t) => {
  const backends = await startBackends(2);
  await (await request(`${backends[1]!.url}/faults`, { method: 'PUT', body: '{"delayMs":100}', headers: { 'content-type': 'application/json' } })).body.dump();
  const gw = await startGateway({ pools: { default: { backends: backends.map((b) => b.url), policy: 'least-outstanding' } }, passiveHealth: { enabled: false } });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 2);
  await autocannon({ url: `${gw.url}/hello`, connections: 20, duration: 2 });
  const [fast, slow] = gw.gateway.loadBalancer.list().map((m) => m.served);
  t.ok(slow! * 4 < fast!, `the slow backend served ${slow}, the fast one ${fast}`);
});
