// Self-registration with TTL heartbeats: a registered backend takes traffic, heartbeats keep it, a missed TTL
// removes it (shown as expired in /pool, heartbeat then 404), and registering the same URL again is idempotent.
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { adminCall, pool, TEST_TOKEN, STEADY_HEALTH } from './helpers/admin.js';

const TTL_MS = 1_000;

t.test('register, heartbeat, expire, re-register', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, registry: { ttlMs: TTL_MS } });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  const call = (method: string, path: string, body?: unknown) => adminCall(gw.adminUrl, method, path, { token: TEST_TOKEN, body });

  const first = await call('POST', '/registry', { url: backend!.url, meta: { zone: 'a' } });
  t.equal(first.status, 201, 'first registration: 201');
  t.same(first.body, { id: `127.0.0.1-${backend!.port}`, ttlMs: TTL_MS }, 'answers the id and the TTL');
  const id = first.body.id as string;
  const again = await call('POST', '/registry', { url: `${backend!.url}/` });
  t.equal(again.status, 200, 'same URL again: 200, not a second member');
  t.equal(again.body.id, id, 'same URL → same id');
  t.equal(gw.gateway.loadBalancer.list().length, 1, 'one member');

  // Heartbeats go on while waiting, so a slow first probe on a busy machine cannot outlast the TTL.
  await waitFor(async () => (await call('PUT', `/registry/${id}`)).status === 200 && (await fetch(`${gw.url}/hello`)).headers.get('x-backend-id') === 'backend-1', 3_000, 100);
  t.pass('the registered backend takes traffic (actively probed up)');

  // Heartbeats every TTL/4 for 3 TTLs keep it in the pool.
  const started = Date.now();
  let lastBeat = 0;
  while (Date.now() - started < 3 * TTL_MS) {
    lastBeat = Date.now();
    t.equal((await call('PUT', `/registry/${id}`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS / 4));
  }
  const kept = (await pool(gw.adminUrl)).find((entry) => entry.id === id);
  t.match(kept, { state: 'up', source: 'registry', url: backend!.url }, 'renewed for 3 TTLs: still up');
  t.ok((kept!.heartbeatAgeMs as number) < TTL_MS, `heartbeat age shown (${kept!.heartbeatAgeMs} ms)`);

  await waitFor(() => gw.gateway.loadBalancer.get(id) === undefined, TTL_MS + 2_000);
  const elapsed = Date.now() - lastBeat;
  t.ok(elapsed >= TTL_MS && elapsed < TTL_MS + 1_500, `no heartbeat: removed one TTL after the last one (${elapsed} ms)`);
  const expired = (await pool(gw.adminUrl)).find((entry) => entry.id === id);
  t.match(expired, { state: 'expired', why: /^ttl expired [\d.]+ s ago$/ }, '/pool shows it as expired, and since when');
  const late = await call('PUT', `/registry/${id}`);
  t.match(late, { status: 404, body: { error: 'not_registered' } }, 'a heartbeat after expiry: 404, so the backend registers again');
  const noBackend = await fetch(`${gw.url}/hello`);
  t.equal(noBackend.status, 503, 'no traffic goes to it');

  const back = await call('POST', '/registry', { url: backend!.url });
  t.equal(back.status, 201, 're-registering after expiry: 201');
  t.equal(back.body.id, id, 'with the same id');
  await waitFor(async () => (await call('PUT', `/registry/${id}`)).status === 200 && (await fetch(`${gw.url}/hello`)).status === 200, 3_000, 100);
  t.notOk((await pool(gw.adminUrl)).some((entry) => entry.state === 'expired'), 'no longer listed as expired');
});
