// Pools with protocol h2 (TLS, ALPN) and h2c (cleartext, prior knowledge): requests are multiplexed over HTTP/2
// connections to the backend, at most streamsPerConnection at once on one; health probes speak HTTP/2 too.
// After one warm-up request, curl sends 20 requests in parallel through the gateway; the backend counts versions,
// connections and overlap.
import t, { type Test } from 'tap';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { startProtocolBackend, type BackendProtocol } from './helpers/protocol-backends.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const certificate = makeCertificate(scratchDir('upstream-h2'), 'backend', ['localhost']);
const PARALLEL = 20;

async function setup(t: Test, protocol: BackendProtocol, streamsPerConnection: number) {
  const backend = await startProtocolBackend('h2-1', protocol, { certificate, slowMs: 400 });
  t.teardown(() => backend.close());
  const tls = protocol === 'h2' ? { tls: { ca: certificate.cert } } : {};
  const gateway = await startGateway({ pools: { api: { backends: [backend.url], protocol, streamsPerConnection, ...tls } }, routes: [{ name: 'all', pool: 'api' }] });
  t.teardown(() => gateway.close());
  await waitFor(() => gateway.gateway.pools.get('api')!.loadBalancer.hasAvailable);
  // One request first: undici opens more connections while the first is still connecting (its queued
  // requests make it busy), so a cold burst would measure the connect race, not multiplexing.
  await curlTimes(`${gateway.url}/hello`, 1);
  const probeConnections = backend.connections;
  const results = await curlTimes(`${gateway.url}/slow`, PARALLEL, ['--parallel', '--parallel-immediate', '--parallel-max', String(PARALLEL)]);
  return { backend, results, trafficConnections: backend.connections - probeConnections };
}

for (const protocol of ['h2c', 'h2'] as const) {
  t.test(`${protocol}: ${PARALLEL} parallel requests share one HTTP/2 connection`, async (t) => {
    const { backend, results, trafficConnections } = await setup(t, protocol, 100);
    t.same(results.map((result) => result.status), Array(PARALLEL).fill(200), 'every request answered');
    t.ok(backend.seen.every((request) => request.httpVersion === '2.0'), 'probes and traffic arrived over HTTP/2');
    t.ok(backend.seen.some((request) => request.path === '/health'), 'the health probe went over HTTP/2');
    t.equal(trafficConnections, 0, 'no new connection: all on the warm one');
    t.ok(backend.peakConcurrent >= 5, `streams overlapped on it (peak ${backend.peakConcurrent})`);
  });
}

t.test('h2c: streamsPerConnection caps the streams on one connection; more open more connections', async (t) => {
  const { results, trafficConnections, backend } = await setup(t, 'h2c', 5);
  t.same(results.map((result) => result.status), Array(PARALLEL).fill(200));
  t.ok(backend.peakPerConnection <= 5, `at most 5 streams at once on a connection (peak ${backend.peakPerConnection})`);
  t.ok(trafficConnections >= 3, `${trafficConnections} more connections opened for ${PARALLEL} requests at 5 streams each`);
});
