// https:// backends for all traffic: verified against a pool's tls.ca (or the system CAs, which do not know a
// test CA: the pool is down), with the configured server name as SNI, and a client certificate for backends
// that require one (mTLS: without it the probes fail and the pool is down). curl is the client.
import t from 'tap';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { startProtocolBackend } from './helpers/protocol-backends.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const dir = scratchDir('upstream-tls');
const serverCert = makeCertificate(dir, 'backend', ['backend.test']);
const clientCert = makeCertificate(dir, 'gateway-client', ['gateway-client']);

async function gatewayFor(url: string, tls: Record<string, unknown> | undefined) {
  return startGateway({ pools: { secure: { backends: [url], ...(tls && { tls }) } }, routes: [{ name: 'all', pool: 'secure' }] });
}

async function poolState(gateway: Awaited<ReturnType<typeof gatewayFor>>) {
  const member = gateway.gateway.pools.get('secure')!.get('secure-1')!;
  return { state: member.state, reason: member.why };
}

t.test('an https backend verified by the pool CA, with the configured SNI', async (t) => {
  const backend = await startProtocolBackend('tls-1', 'https', { certificate: serverCert });
  t.teardown(() => backend.close());
  const gateway = await gatewayFor(backend.url, { ca: serverCert.cert, servername: 'backend.test' });
  t.teardown(() => gateway.close());
  await waitFor(() => gateway.gateway.pools.get('secure')!.loadBalancer.hasAvailable);
  const results = await curlTimes(`${gateway.url}/hello`, 3);
  t.same(results.map((result) => [result.status, result.backend]), [[200, 'tls-1'], [200, 'tls-1'], [200, 'tls-1']]);
  const traffic = backend.seen.filter((request) => request.path === '/hello');
  t.equal(traffic.length, 3, 'the requests went over TLS to the backend');
  t.ok(backend.seen.every((request) => request.servername === 'backend.test'), 'traffic and probes send the configured SNI');
});

t.test('without the CA the backend is not trusted: the pool stays down and the client gets 503', async (t) => {
  const backend = await startProtocolBackend('tls-1', 'https', { certificate: serverCert });
  t.teardown(() => backend.close());
  const gateway = await gatewayFor(backend.url, undefined);
  t.teardown(() => gateway.close());
  await waitFor(async () => (await poolState(gateway)).reason !== '');
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.not((await poolState(gateway)).state, 'up');
  t.match((await poolState(gateway)).reason, /certificate|CERT/i, 'the probe reason names the certificate');
  const [result] = await curlTimes(`${gateway.url}/hello`, 1);
  t.equal(result!.status, 503);
  t.equal(backend.seen.length, 0, 'no request reached an unverified backend');
});

t.test('mTLS: a backend that requires a client certificate is down without one, up with the pool cert', async (t) => {
  const backend = await startProtocolBackend('mtls-1', 'https', { certificate: serverCert, clientCa: clientCert.cert });
  t.teardown(() => backend.close());

  const without = await gatewayFor(backend.url, { ca: serverCert.cert });
  await new Promise((resolve) => setTimeout(resolve, 800));
  t.not((await poolState(without)).state, 'up', 'no client certificate: down');
  t.equal((await curlTimes(`${without.url}/hello`, 1))[0]!.status, 503);
  await without.close();

  const withCert = await gatewayFor(backend.url, { ca: serverCert.cert, cert: clientCert.cert, key: clientCert.key });
  t.teardown(() => withCert.close());
  await waitFor(() => withCert.gateway.pools.get('secure')!.loadBalancer.hasAvailable);
  const [result] = await curlTimes(`${withCert.url}/hello`, 1);
  t.equal(result!.status, 200);
  t.equal(result!.backend, 'mtls-1');
  t.equal(backend.seen.at(-1)!.clientCn, 'gateway-client', 'the backend saw the pool client certificate');
});
