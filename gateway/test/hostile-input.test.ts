// Hostile and malformed requests: oversize headers → 431, oversize bodies → 413, malformed and smuggling
// attempts → 400 from Node's strict parser, never reaching a backend as a second request; hundreds of
// slowloris connections do not stop normal clients.
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { request } from 'undici';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { rawRequest } from './helpers/raw-http.js';

t.test('hostile requests', async (t) => {
  const backend = await startCountingServer((req, res) => req.resume().on('end', () => res.end('World')));
  const gw = await startGateway({ backends: [backend.url], limits: { maxHeaderBytes: 8192, maxBodyBytes: 1000 } });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  const host = `Host: ${new URL(gw.url).host}`;
  const arrived = () => [...backend.arrivals.values()].reduce((sum, n) => sum + n, 0);

  const cases: [string, string, RegExp][] = [
    ['header block over the limit', `GET /a HTTP/1.1\n${host}\nX-Big: ${'a'.repeat(10_000)}\n\n`, /^HTTP\/1\.1 431 /],
    ['declared body over the limit', `POST /a HTTP/1.1\n${host}\nContent-Length: 5000\n\n`, /^HTTP\/1\.1 413 /],
    ['malformed request line', `GET /a HTTP/1.1 extra\n${host}\n\n`, /^HTTP\/1\.1 400 /],
    ['Content-Length with Transfer-Encoding (CL.TE smuggling)', `POST /a HTTP/1.1\n${host}\nContent-Length: 6\nTransfer-Encoding: chunked\n\n0\n\nGET /smuggled HTTP/1.1\n${host}\n\n`, /^HTTP\/1\.1 400 /],
    ['two different Content-Length headers', `POST /a HTTP/1.1\n${host}\nContent-Length: 3\nContent-Length: 40\n\nabcGET /smuggled HTTP/1.1\n\n`, /^HTTP\/1\.1 400 /],
    ['bad chunk size', `POST /a HTTP/1.1\n${host}\nTransfer-Encoding: chunked\n\nzz\nhello\n0\n\n`, /^HTTP\/1\.1 400 /],
    ['obfuscated Transfer-Encoding', `POST /a HTTP/1.1\n${host}\nTransfer-Encoding: xchunked\nContent-Length: 4\n\nabcd`, /^HTTP\/1\.1 (400|501) /],
  ];
  for (const [name, text, expected] of cases) {
    const before = arrived();
    const answer = await rawRequest(gw.url, text);
    t.match(answer, expected, name);
    t.equal(arrived(), before, `${name}: nothing reached the backend`);
    t.notMatch(answer, /World/, `${name}: no backend answer came back`);
  }
  t.equal(backend.arrivals.get('GET /smuggled'), undefined, 'no smuggled request ever reached the backend');

  const chunked = await rawRequest(gw.url, `POST /a HTTP/1.1\n${host}\nTransfer-Encoding: chunked\n\n7d0\n${'x'.repeat(2000)}\n0\n\n`);
  t.match(chunked, /^HTTP\/1\.1 413 /, 'a chunked body passing the limit gets 413');

  const ok = await request(`${gw.url}/hello`);
  t.equal(await ok.body.text(), 'World', 'the gateway keeps serving');
});

t.test('300 slowloris connections do not stop normal clients, and are cut after the header timeout', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('World'));
  const gw = await startGateway({ backends: [backend.url], limits: { clientHeadersTimeoutMs: 1_000 } });
  const sockets: Socket[] = [];
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await gw.close();
    await backend.close();
  });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  const { port } = new URL(gw.url);
  let closedByGateway = 0;
  for (let i = 0; i < 300; i++) {
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    socket.resume(); // read, so the gateway's 408 and close are noticed
    socket.on('close', () => (closedByGateway += 1));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    sockets.push(socket);
  }
  const started = Date.now();
  for (let i = 0; i < 20; i++) {
    const response = await request(`${gw.url}/hello`);
    t.equal(await response.body.text(), 'World');
  }
  t.ok(Date.now() - started < 5_000, 'normal clients were served promptly');
  await waitFor(() => closedByGateway === 300, 10_000);
  t.pass('every slowloris connection was closed by the gateway');
});
