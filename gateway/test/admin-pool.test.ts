// GET /pool explains each backend (source, state, why, since, probes, counters); drain, enable and weight act at
// once on traffic; /readyz follows availability.
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { adminCall, pool, TEST_TOKEN, STEADY_HEALTH } from './helpers/admin.js';

t.test('pool view, drain, enable, weight, readyz', async (t) => {
  const backends = await startBackends(2);
  const gw = await startGateway({ backends: backends.map((backend) => backend.url), healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN } });
  t.teardown(async () => {
    await gw.close();
    for (const backend of backends) await backend.stop();
  });
  const call = (method: string, path: string, body?: unknown) => adminCall(gw.adminUrl, method, path, { token: TEST_TOKEN, body });
  await waitFor(async () => (await pool(gw.adminUrl)).every((entry) => entry.state === 'up'), 3_000);
  for (let i = 0; i < 4; i += 1) await fetch(`${gw.url}/hello`).then((response) => response.text());

  const [entry] = await pool(gw.adminUrl);
  t.match(entry, { id: 'backend-1', url: backends[0]!.url, source: 'static', state: 'up', why: 'probe ok', weight: 1, inFlight: 0, served: 2, heartbeatAgeMs: null }, 'each backend explained');
  t.ok(Date.parse(entry!.since as string) <= Date.now(), 'since is a time');
  t.ok(Date.parse(entry!.lastProbeAt as string) <= Date.now(), 'last probe time');
  t.ok(Date.parse(entry!.nextProbeAt as string) >= Date.parse(entry!.lastProbeAt as string), 'next probe time');
  t.match(await adminCall(gw.adminUrl, 'GET', '/readyz'), { status: 200, body: { ready: true, available: 2 } }, 'ready with backends up');

  t.match(await call('POST', '/pool/backend-1/drain'), { status: 200, body: { id: 'backend-1', state: 'draining' } }, 'drain');
  const ids = new Set<string | null>();
  for (let i = 0; i < 6; i += 1) ids.add((await fetch(`${gw.url}/hello`)).headers.get('x-backend-id'));
  t.same([...ids], ['backend-2'], 'a drained backend gets no new requests');
  t.match((await pool(gw.adminUrl))[0], { state: 'draining', why: 'drained by 127.0.0.1' }, '/pool says who drained it');
  t.match(await call('POST', '/pool/backend-1/drain'), { status: 200, body: { state: 'draining' } }, 'draining twice is harmless');
  await call('POST', '/pool/backend-2/drain');
  t.match(await adminCall(gw.adminUrl, 'GET', '/readyz'), { status: 503, body: { ready: false } }, 'not ready with everything drained');

  await call('POST', '/pool/backend-1/enable');
  await call('POST', '/pool/backend-2/enable');
  t.match(await call('PUT', '/pool/backend-1/weight', { weight: 3 }), { status: 200, body: { id: 'backend-1', weight: 3 } }, 'weight set');
  const counts: Record<string, number> = {};
  for (let i = 0; i < 40; i += 1) {
    const id = (await fetch(`${gw.url}/hello`)).headers.get('x-backend-id')!;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  t.same(counts, { 'backend-1': 30, 'backend-2': 10 }, 'weight 3:1 splits traffic 3:1');
  t.match((await pool(gw.adminUrl))[0], { state: 'up', weight: 3 }, 'health was kept through the weight change');
});
