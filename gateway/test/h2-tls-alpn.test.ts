// HTTP/2 over TLS with curl --http2 as the client: ALPN picks h2, the stream goes through the route table by
// :authority (which the backend receives as Host) to the right pool, X-Forwarded-Proto is https, HSTS is sent,
// and an HTTP/1.1 client on the same port still gets HTTP/1.1.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const run = promisify(execFile);
const certificate = makeCertificate(scratchDir('h2-alpn'), 'localhost', ['localhost', 'api.localhost']);

async function curl(host: string, port: number, path: string, extra: string[]): Promise<{ version: string; status: number; headers: string; body: string }> {
  const { stdout } = await run('curl', ['-s', '-i', '--max-time', '10', '--cacert', certificate.cert, '--resolve', `${host}:${port}:127.0.0.1`, '-w', '\n%{http_version}', ...extra, `https://${host}:${port}${path}`]);
  const version = stdout.slice(stdout.lastIndexOf('\n') + 1);
  const [head, ...body] = stdout.slice(0, stdout.lastIndexOf('\n')).split('\r\n\r\n');
  return { version, status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(head!)?.[1]), headers: head!.toLowerCase(), body: body.join('\r\n\r\n') };
}

t.test('curl --http2 speaks h2 to the TLS listener and is routed by :authority', async (t) => {
  const [api, web] = await startBackends(2);
  const gw = await startGateway({
    pools: { api: { backends: [{ id: 'api-a', url: api!.url }] }, web: { backends: [{ id: 'web-a', url: web!.url }] } },
    routes: [
      { name: 'api', match: { hosts: ['api.localhost'] }, pool: 'api' },
      { name: 'web', match: {}, pool: 'web' },
    ],
    tls: { enabled: true, port: 0, certificates: [certificate], hsts: 60 },
    // A probe timing out on the loaded test machine must not take a pool's only backend away mid-test.
    healthCheck: { fall: 100 },
  });
  t.teardown(async () => {
    await gw.close();
    await Promise.all([api!.stop(), web!.stop()]);
  });
  await waitFor(() => [...gw.gateway.pools.members()].every((member) => member.state === 'up'));
  const port = gw.tlsPort!;

  const hello = await curl('api.localhost', port, '/hello', ['--http2']);
  t.equal(hello.version, '2', 'ALPN chose h2');
  t.equal(hello.status, 200);
  t.equal(hello.body, 'World');
  t.match(hello.headers, 'x-backend-id: backend-1', 'the api route\'s pool answered');
  t.match(hello.headers, 'strict-transport-security: max-age=60');

  const other = await curl('localhost', port, '/hello', ['--http2']);
  t.equal(other.version, '2');
  t.match(other.headers, 'x-backend-id: backend-2', 'another :authority, the catch-all route');

  const seen = JSON.parse((await curl('api.localhost', port, '/headers?q=1', ['--http2'])).body) as { method: string; url: string; headers: Record<string, string> };
  t.equal(seen.method, 'GET');
  t.equal(seen.url, '/headers?q=1', ':path is the backend\'s path');
  t.equal(seen.headers.host, `api.localhost:${port}`, ':authority is the backend\'s Host');
  t.equal(seen.headers['x-forwarded-proto'], 'https');
  t.equal(seen.headers['x-forwarded-host'], `api.localhost:${port}`);

  const http1 = await curl('localhost', port, '/hello', ['--http1.1']);
  t.equal(http1.version, '1.1', 'an HTTP/1.1 client still gets HTTP/1.1');
  t.equal(http1.body, 'World');
});

t.test('with http2.enabled false the TLS listener offers HTTP/1.1 only', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ backends: [backend!.url], tls: { enabled: true, port: 0, certificates: [certificate] }, http2: { enabled: false }, healthCheck: { fall: 100 } });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 1);
  const hello = await curl('localhost', gw.tlsPort!, '/hello', ['--http2']);
  t.equal(hello.version, '1.1', 'curl asked for h2 and got HTTP/1.1');
  t.equal(hello.body, 'World');
});
