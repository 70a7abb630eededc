// DELETE /registry/:id drains: no new request goes to the backend, the one in flight finishes with its answer,
// and only then is the backend removed from the pool.
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { adminCall, pool, TEST_TOKEN, STEADY_HEALTH } from './helpers/admin.js';

const SLOW_MS = 1_500;

t.test('deregistering waits for in-flight requests', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, registry: { ttlMs: 60_000 } });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  const { body } = await adminCall(gw.adminUrl, 'POST', '/registry', { token: TEST_TOKEN, body: { url: backend!.url } });
  const id = body.id as string;
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable, 3_000);
  // The demo backend's fault switch makes every answer (but /health) take SLOW_MS.
  await fetch(`${backend!.url}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delayMs: SLOW_MS }) });

  const slow = fetch(`${gw.url}/hello`).then(async (response) => ({ status: response.status, text: await response.text(), at: Date.now() }));
  await waitFor(() => gw.gateway.loadBalancer.get(id)!.inFlight === 1, 2_000);
  const deleted = await adminCall(gw.adminUrl, 'DELETE', `/registry/${id}`, { token: TEST_TOKEN });
  t.match(deleted, { status: 202, body: { id, state: 'draining', inFlight: 1 } }, 'DELETE answers 202 draining, with one request in flight');
  t.match((await pool(gw.adminUrl)).find((entry) => entry.id === id), { state: 'draining', why: /^deregistered by 127\.0\.0\.1/ }, '/pool shows draining and who did it');
  t.equal((await fetch(`${gw.url}/hello`)).status, 503, 'no new request goes to a draining backend');
  t.equal((await adminCall(gw.adminUrl, 'DELETE', `/registry/${id}`, { token: TEST_TOKEN })).status, 404, 'a second DELETE: 404');

  let removedAt = 0;
  await waitFor(() => {
    if (gw.gateway.loadBalancer.get(id) === undefined && removedAt === 0) removedAt = Date.now();
    return removedAt > 0;
  }, SLOW_MS + 3_000, 5);
  const result = await slow;
  t.same({ status: result.status, text: result.text }, { status: 200, text: 'World' }, 'the in-flight request finished with its answer');
  t.ok(removedAt >= result.at - 100, `removed only after it finished (removed ${removedAt - result.at} ms after the answer)`);
});

t.test('a drain is bounded by registry.drainTimeoutMs', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, registry: { ttlMs: 60_000, drainTimeoutMs: 300 } });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  const { body } = await adminCall(gw.adminUrl, 'POST', '/registry', { token: TEST_TOKEN, body: { url: backend!.url } });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable, 3_000);
  await fetch(`${backend!.url}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delayMs: 3_000 }) });
  const slow = fetch(`${gw.url}/hello`).then((response) => response.text()).catch(() => 'failed');
  await waitFor(() => gw.gateway.loadBalancer.get(body.id as string)?.inFlight === 1, 2_000);
  const started = Date.now();
  await adminCall(gw.adminUrl, 'DELETE', `/registry/${body.id as string}`, { token: TEST_TOKEN });
  await waitFor(() => gw.gateway.loadBalancer.get(body.id as string) === undefined, 2_500);
  t.ok(Date.now() - started < 2_500, `removed after the drain timeout (${Date.now() - started} ms), not after the 3 s request`);
  await slow;
});
