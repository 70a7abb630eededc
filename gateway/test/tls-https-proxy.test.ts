// HTTPS on the TLS listener with curl as the client: the answer is World, the backend sees X-Forwarded-Proto
// https (http on the cleartext port), HSTS is sent when configured, a WebSocket is tunnelled over wss, and with
// tls.redirectHttp the cleartext port answers 308 to the same URL on the TLS port.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import t from 'tap';
import WebSocket, { WebSocketServer } from 'ws';
import { startBackend } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const run = promisify(execFile);
const certificate = makeCertificate(scratchDir('tls-proxy'), 'localhost', ['localhost']);

async function curl(url: string, port: number, extra: string[] = []): Promise<{ status: number; headers: string; body: string }> {
  // --resolve so the name curl verifies (localhost) is the certificate's, on the test's port.
  const { stdout } = await run('curl', ['-s', '-i', '--max-time', '10', '--cacert', certificate.cert, '--resolve', `localhost:${port}:127.0.0.1`, ...extra, url]);
  const [head, ...body] = stdout.split('\r\n\r\n');
  return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(head!)?.[1]), headers: head!.toLowerCase(), body: body.join('\r\n\r\n') };
}

t.test('curl over HTTPS gets World, and the backend is told the client spoke https', async (t) => {
  const backend = await startBackend('backend-1');
  t.teardown(() => backend.stop());
  const gw = await startGateway({ backends: [backend.url], tls: { enabled: true, port: 0, certificates: [certificate], hsts: 3600 } });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.available === 1);
  const port = gw.tlsPort!;

  const hello = await curl(`https://localhost:${port}/hello`, port);
  t.equal(hello.status, 200);
  t.equal(hello.body, 'World');
  t.match(hello.headers, 'strict-transport-security: max-age=3600');

  const echoed = JSON.parse((await curl(`https://localhost:${port}/headers`, port)).body) as { headers: Record<string, string> };
  t.equal(echoed.headers['x-forwarded-proto'], 'https');
  t.equal(echoed.headers['x-forwarded-host'], `localhost:${port}`);

  const cleartext = await run('curl', ['-s', '-i', `${gw.url}/headers`]);
  t.match(cleartext.stdout, '"x-forwarded-proto":"http"', 'the cleartext port still says http');
  t.notMatch(cleartext.stdout.toLowerCase(), 'strict-transport-security', 'HSTS only over TLS');
});

t.test('a WebSocket is tunnelled on the TLS listener too', async (t) => {
  const server = createServer((req, res) => res.end('ok'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => socket.send(String(req.headers['x-forwarded-proto'])));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.close();
  });
  const gw = await startGateway({ backends: [`http://127.0.0.1:${(server.address() as { port: number }).port}`], tls: { enabled: true, port: 0, certificates: [certificate] } });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.available === 1);

  const socket = new WebSocket(`wss://localhost:${gw.tlsPort!}/chat`, { ca: readFileSync(certificate.cert) });
  const message = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data) => resolve(String(data)));
    socket.once('error', reject);
  });
  t.equal(message, 'https', 'the backend saw the handshake as https');
  socket.close();
});

t.test('redirectHttp: the cleartext port answers 308 to the TLS port, and curl -L follows it to World', async (t) => {
  const backend = await startBackend('backend-1');
  t.teardown(() => backend.stop());
  const gw = await startGateway({ backends: [backend.url], tls: { enabled: true, port: 0, certificates: [certificate], redirectHttp: true } });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.available === 1);
  const port = gw.tlsPort!;
  const cleartextPort = new URL(gw.url).port;

  const redirect = await curl(`http://localhost:${cleartextPort}/hello?x=1`, Number(cleartextPort));
  t.equal(redirect.status, 308);
  t.match(redirect.headers, `location: https://localhost:${port}/hello?x=1`);
  const followed = await curl(`http://localhost:${cleartextPort}/hello`, Number(cleartextPort), ['-L', '--resolve', `localhost:${port}:127.0.0.1`]);
  t.match(followed.body, 'World');
});
