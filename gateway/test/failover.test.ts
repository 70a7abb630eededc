// Failover clients never see: refused, reset and hanging backends are retried elsewhere for idempotent
// requests; a POST that reached a backend is never sent twice; a POST that never got out is.
import t, { type Test } from 'tap';
import { request } from 'undici';
import { startBackends, type TestBackend } from './helpers/backends.js';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor, type TestGateway } from './helpers/gateway.js';

/** Probes every minute: these tests prove what live traffic alone does, before any probe notices. */
const SLOW_PROBES = { intervalMs: 60_000, timeoutMs: 1_000 };

async function setFaults(backend: TestBackend, faults: object): Promise<void> {
  const response = await request(`${backend.url}/faults`, { method: 'PUT', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' } });
  await response.body.dump();
}

async function statuses(gw: TestGateway, count: number, path = '/hello'): Promise<{ codes: Map<number, number>; ids: Set<string> }> {
  const codes = new Map<number, number>();
  const ids = new Set<string>();
  for (let i = 0; i < count; i++) {
    const response = await request(`${gw.url}${path}`);
    await response.body.dump();
    codes.set(response.statusCode, (codes.get(response.statusCode) ?? 0) + 1);
    ids.add(String(response.headers['x-backend-id']));
  }
  return { codes, ids };
}

async function threeBackendGateway(t: Test, config: Record<string, unknown> = {}) {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: backends.map((b) => b.url), healthCheck: SLOW_PROBES, ...config });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));
  return { backends, gw };
}

for (const [name, breakIt, config] of [
  ['refused (backend process gone)', (b: TestBackend) => b.stop(), {}],
  ['reset (connection closed without a response)', (b: TestBackend) => setFaults(b, { reset: true }), {}],
  ['timeout (backend never answers)', (b: TestBackend) => setFaults(b, { hang: true }), { proxy: { headersTimeoutMs: 300 } }],
] as const) {
  t.test(`GET fails over on ${name}, and the backend is ejected by live traffic`, async (t) => {
    const { backends, gw } = await threeBackendGateway(t, config);
    await breakIt(backends[1]!);
    const { codes, ids } = await statuses(gw, 30);
    t.same([...codes], [[200, 30]], 'every GET succeeded');
    t.notOk(ids.has('backend-2'));
    const member = gw.gateway.loadBalancer.get('backend-2')!;
    t.equal(member.state, 'ejected', 'passive health took it out');
    t.match(member.why, /3 times in 10 s: ejected for 5 s/);
  });
}

t.test('a POST that reached a backend is not sent again; the client gets 502', async (t) => {
  const cutter = await startCountingServer((req) => req.on('data', () => req.socket.destroy()));
  const healthy = await startCountingServer((req, res) => req.resume().on('end', () => res.end('World')));
  const gw = await startGateway({ backends: [cutter.url, healthy.url], healthCheck: SLOW_PROBES });
  t.teardown(async () => {
    await gw.close();
    await cutter.close();
    await healthy.close();
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 2);
  const response = await request(`${gw.url}/hello`, { method: 'POST', body: 'Hello' });
  t.equal(response.statusCode, 502);
  t.match(await response.body.json(), { error: 'upstream_reset' });
  t.equal(cutter.arrivals.get('POST /hello'), 1, 'the first backend got it once');
  t.equal(healthy.arrivals.get('POST /hello'), undefined, 'and it was not replayed to the second');
});

t.test('a POST that never got out (refused) is sent to the next backend', async (t) => {
  const { backends, gw } = await threeBackendGateway(t);
  await backends[0]!.stop();
  const response = await request(`${gw.url}/hello`, { method: 'POST', body: 'Hello' });
  t.equal(response.statusCode, 200);
  t.equal(await response.body.text(), 'World');
  t.not(response.headers['x-backend-id'], 'backend-1');
});

t.test('a reused keep-alive socket closed before any response byte is retried for GET', async (t) => {
  let served = 0;
  let cutOnReuse = 0;
  // Answers the first request on each connection, then closes the connection as the next one arrives:
  // the race between a backend's idle timeout and the proxy reusing the socket.
  const racer = await startCountingServer((req, res) => {
    const socket = req.socket as typeof req.socket & { answered?: boolean };
    if (socket.answered) {
      cutOnReuse += 1;
      return void socket.destroy();
    }
    socket.answered = true;
    served += 1;
    res.setHeader('x-backend-id', 'racer');
    res.end('World');
  });
  const [steady] = await startBackends(1);
  const gw = await startGateway({ backends: [racer.url, steady!.url], healthCheck: SLOW_PROBES, passiveHealth: { enabled: false }, proxy: { connectionsPerBackend: 1 } });
  t.teardown(async () => {
    await gw.close();
    await racer.close();
    await steady!.stop();
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 2);
  const { codes } = await statuses(gw, 6);
  t.same([...codes], [[200, 6]], 'no client saw the race');
  t.ok(served >= 1 && cutOnReuse >= 1, `the race happened (${cutOnReuse} reused sockets cut)`);
});

t.test('a try waiting on a backend that goes down is moved to another one at once', async (t) => {
  const { backends, gw } = await threeBackendGateway(t, { healthCheck: { intervalMs: 200, timeoutMs: 150 }, proxy: { headersTimeoutMs: 30_000 } });
  await setFaults(backends[0]!, { hang: true, healthToo: true });
  const started = Date.now();
  const response = await request(`${gw.url}/hello`, { headers: { 'x-request-id': 'rescued-1' } });
  t.equal(response.statusCode, 200);
  t.equal(await response.body.text(), 'World');
  const elapsed = Date.now() - started;
  t.ok(elapsed < 10_000, `answered in ${elapsed} ms, not after the 30 s headers timeout`);
  t.equal(gw.gateway.loadBalancer.get('backend-1')!.state, 'down');
});
