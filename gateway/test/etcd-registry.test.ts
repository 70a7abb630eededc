// Many gateways sharing one registry through a real etcd: a registration through gateway A is routable through
// B within 1 s; heartbeats through either renew it; a missed TTL removes it from both within TTL + 1 s; a restarted
// gateway rebuilds its pool from etcd; losing etcd keeps the last known pool, and the gateways reconnect.
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startEtcd } from './helpers/etcd.js';
import { startGateway, waitFor, type TestGateway } from './helpers/gateway.js';
import { adminCall, pool, TEST_TOKEN, STEADY_HEALTH } from './helpers/admin.js';

const TTL_MS = 2_000;

t.test('two gateways share registrations through etcd', async (t) => {
  const etcd = await startEtcd();
  const backends = await startBackends(3);
  const prefix = `/gateway-test-${process.pid}/`;
  const config = { healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, registry: { ttlMs: TTL_MS, etcd: { endpoints: [etcd.url], prefix } } };
  const a = await startGateway(config);
  let b: TestGateway = await startGateway(config);
  t.teardown(async () => {
    await a.close();
    await b.close();
    for (const backend of backends) await backend.stop();
    await etcd.destroy();
  });
  const call = (gw: TestGateway, method: string, path: string, body?: unknown) => adminCall(gw.adminUrl, method, path, { token: TEST_TOKEN, body });
  const routesTo = async (gw: TestGateway, id: string) => (await fetch(`${gw.url}/hello`)).headers.get('x-backend-id') === id;

  // Registered through A, routable through B.
  const registered = await call(a, 'POST', '/registry', { url: backends[0]!.url });
  t.equal(registered.status, 201, 'registered through A');
  const id = registered.body.id as string;
  // The first one also waits for B's first connection to etcd; the 1 s target is checked on a later one.
  const firstVisibleAfter = await waitFor(() => routesTo(b, 'backend-1'), 5_000, 20);
  t.pass(`routable through B (${firstVisibleAfter} ms, including B's first etcd connection)`);
  t.match(await pool(b.adminUrl), [{ id, source: 'etcd', state: 'up' }], 'B lists it with source etcd');
  t.equal((await call(a, 'POST', '/registry', { url: backends[0]!.url })).status, 200, 'registering the same URL again is idempotent across etcd');

  // Heartbeats through B renew the lease granted through A.
  let lastBeat = 0;
  for (let i = 0; i < 6; i += 1) {
    lastBeat = Date.now();
    t.equal((await call(i % 2 ? a : b, 'PUT', `/registry/${id}`)).status, 200, 'heartbeat through either gateway');
    await new Promise((resolve) => setTimeout(resolve, TTL_MS / 3));
  }
  t.ok(a.gateway.loadBalancer.get(id) && b.gateway.loadBalancer.get(id), `still on both after ${6 * TTL_MS / 3} ms of heartbeats`);

  // No more heartbeats: gone from both within TTL + 1 s.
  await waitFor(() => !a.gateway.loadBalancer.get(id) && !b.gateway.loadBalancer.get(id), TTL_MS + 3_000, 20);
  const goneAfter = Date.now() - lastBeat;
  t.ok(goneAfter <= TTL_MS + 1_000, `lease expiry removed it from both within TTL + 1 s (${goneAfter} ms after the last heartbeat)`);
  t.match((await pool(b.adminUrl)).find((entry) => entry.id === id), { state: 'expired' }, 'shown as expired');
  t.equal((await call(b, 'PUT', `/registry/${id}`)).status, 404, 'a late heartbeat: 404');

  // A restarted gateway rebuilds its pool from etcd.
  const second = (await call(a, 'POST', '/registry', { url: backends[1]!.url })).body.id as string;
  await b.close();
  b = await startGateway(config);
  await waitFor(() => routesTo(b, 'backend-2'), 3_000);
  t.pass('a restarted gateway loads the registrations from etcd');

  // Deregistering through B removes it from A too.
  t.equal((await call(b, 'DELETE', `/registry/${second}`)).status, 202, 'deregistered through B');
  await waitFor(() => !a.gateway.loadBalancer.get(second) && !b.gateway.loadBalancer.get(second), 3_000);
  t.pass('and removed from both');

  // etcd goes away: the pools stay as they were.
  const third = (await call(a, 'POST', '/registry', { url: backends[2]!.url })).body.id as string;
  const visibleAfter = await waitFor(() => routesTo(b, 'backend-3'), 3_000, 20);
  t.ok(visibleAfter < 1_000, `a registration through A is routable through B within 1 s (${visibleAfter} ms)`);
  await etcd.stop();
  // Long enough for etcd3's default watch backoff to have grown past 8 s: the reconnect below must not wait that out.
  await new Promise((resolve) => setTimeout(resolve, TTL_MS + 6_000));
  t.ok(a.gateway.loadBalancer.get(third) && b.gateway.loadBalancer.get(third), 'with etcd down past the TTL both gateways keep the last known pool');
  t.ok(await routesTo(a, 'backend-3') && await routesTo(b, 'backend-3'), 'and keep routing to it');
  const refused = await call(a, 'POST', '/registry', { url: backends[0]!.url });
  t.match(refused, { status: 503, body: { error: 'registry_unavailable' } }, 'a registration meanwhile answers 503, nothing changed');
  t.notOk(a.gateway.loadBalancer.get(id), 'and added nothing');

  // etcd is back: heartbeats work again and new registrations reach the other gateway.
  await etcd.start();
  await waitFor(async () => (await call(b, 'PUT', `/registry/${third}`)).status === 200, 15_000, 250);
  t.pass('heartbeats are accepted again once etcd is back');
  await waitFor(async () => (await call(a, 'POST', '/registry', { url: backends[0]!.url })).status < 300, 15_000, 250);
  const reached = await waitFor(() => b.gateway.loadBalancer.get(id) !== undefined, 5_000);
  t.pass(`the watch reconnected: a new registration through A reaches B (${reached} ms)`);
});
