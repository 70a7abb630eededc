// Backup backends take traffic only when no primary can; a drained backend takes no new requests but
// finishes the ones it has; the last available backend is never ejected for passive reasons alone.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor } from './helpers/gateway.js';

async function backendIds(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await request(`${url}/hello`);
    await response.body.dump();
    ids.push(`${response.statusCode} ${response.headers['x-backend-id']}`);
  }
  return [...new Set(ids)].sort();
}

t.test('a backup takes traffic only while no primary is available', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: [backends[0]!.url, backends[1]!.url, { url: backends[2]!.url, backup: true }] });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  const lb = gw.gateway.loadBalancer;
  await waitFor(() => lb.list().every((m) => m.state === 'up'));
  t.same(await backendIds(gw.url, 10), ['200 backend-1', '200 backend-2'], 'primaries only');

  await Promise.all([backends[0]!.stop(), backends[1]!.stop()]);
  await waitFor(() => lb.get('backend-1')!.state === 'down' && lb.get('backend-2')!.state === 'down');
  t.same(await backendIds(gw.url, 6), ['200 backend-3'], 'the backup when every primary is down');

  await backends[0]!.start();
  await waitFor(() => lb.get('backend-1')!.state === 'up');
  t.same(await backendIds(gw.url, 6), ['200 backend-1'], 'back to the primary as soon as one returns');
});

t.test('draining: no new requests, in-flight ones finish', async (t) => {
  let release: () => void = () => {};
  const slow = await startCountingServer((_req, res) => {
    res.setHeader('x-backend-id', 'slow');
    release = () => res.end('finished');
  });
  const [other] = await startBackends(1);
  const gw = await startGateway({ backends: [{ url: slow.url, id: 'slow' }, other!.url] });
  t.teardown(async () => {
    await gw.close();
    await slow.close();
    await other!.stop();
  });
  const lb = gw.gateway.loadBalancer;
  await waitFor(() => lb.available === 2);
  const inFlight = request(`${gw.url}/work`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
  await waitFor(() => slow.arrivals.get('GET /work') === 1);
  lb.setDraining('slow', true, 'drained by test');
  t.equal(lb.get('slow')!.state, 'draining');
  t.same(await backendIds(gw.url, 6), ['200 backend-1'], 'new requests avoid the draining backend');
  t.equal(lb.get('slow')!.inFlight, 1, 'its in-flight request is still running');
  release();
  t.same(await inFlight, { status: 200, body: 'finished' }, 'and finishes normally');
  await waitFor(() => lb.get('slow')!.inFlight === 0);
  lb.setDraining('slow', false, 'enabled by test');
  t.equal(lb.get('slow')!.state, 'up');
});

t.test('the last available backend is kept even while it fails (panic mode), not turned into 503s', async (t) => {
  const [only] = await startBackends(1);
  const gw = await startGateway({ backends: [only!.url], healthCheck: { intervalMs: 60_000, timeoutMs: 1_000 } });
  t.teardown(async () => {
    await gw.close();
    await only!.stop();
  });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  const faults = await request(`${only!.url}/faults`, { method: 'PUT', body: '{"errorRate":1,"errorStatus":503}', headers: { 'content-type': 'application/json' } });
  await faults.body.dump();
  const seen = await backendIds(gw.url, 8);
  t.same(seen, ['503 backend-1'], "the backend's own answer reaches the client");
  t.equal(gw.gateway.loadBalancer.get('backend-1')!.state, 'up', 'not ejected: it is the last one');
});
