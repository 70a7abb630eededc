// Backends that misbehave at the HTTP level: garbage instead of HTTP, a body cut short, silence before or
// inside the response. The client gets 502/504 (or a cut connection once headers went out) within the
// timeouts, and the gateway keeps serving.
import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { startGateway } from './helpers/gateway.js';

/** A TCP server that does `behave` with each connection once the request head has arrived. */
async function tcpBackend(t: Test, behave: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => behave(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function gatewayFor(t: Test, url: string) {
  // Probes off: these backends would fail them, and the point is what live requests see.
  const gw = await startGateway({ backends: [url], healthCheck: { enabled: false }, passiveHealth: { enabled: false }, proxy: { headersTimeoutMs: 400, bodyTimeoutMs: 400 } });
  t.teardown(() => gw.close());
  return gw;
}

t.test('garbage instead of HTTP → 502 upstream_protocol_error, twice in a row', async (t) => {
  const gw = await gatewayFor(t, await tcpBackend(t, (socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n')));
  for (let i = 0; i < 2; i++) {
    const response = await request(`${gw.url}/hello`);
    t.equal(response.statusCode, 502);
    t.match(await response.body.json(), { error: /upstream_(protocol_error|reset)/, requestId: /.+/ });
  }
});

t.test('never answers → 504 upstream_timeout after the headers timeout', async (t) => {
  const gw = await gatewayFor(t, await tcpBackend(t, () => {}));
  const started = Date.now();
  const response = await request(`${gw.url}/hello`);
  t.equal(response.statusCode, 504);
  t.match(await response.body.json(), { error: 'upstream_timeout' });
  t.ok(Date.now() - started < 5_000, 'within the configured timeout, not a hang');
});

t.test('body cut short after the headers went out → the client connection is cut, not a second response', async (t) => {
  const gw = await gatewayFor(t, await tcpBackend(t, (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789');
    setTimeout(() => socket.destroy(), 50);
  }));
  const response = await request(`${gw.url}/hello`);
  t.equal(response.statusCode, 200, 'the headers were already relayed');
  await t.rejects(response.body.text(), 'reading the body fails: the client can tell it is incomplete');
});

t.test('silence inside the body → cut after the body timeout', async (t) => {
  const gw = await gatewayFor(t, await tcpBackend(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial')));
  const started = Date.now();
  const response = await request(`${gw.url}/hello`);
  await t.rejects(response.body.text());
  t.ok(Date.now() - started < 5_000, 'cut within the body timeout');
});
