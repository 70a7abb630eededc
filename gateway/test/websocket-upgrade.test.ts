// WebSocket upgrades pass through the gateway to the next backend, with forwarded headers, and messages
// flow both ways; the token is matched in any case, and only WebSocket is offered to the backend; with no
// backend available the handshake is refused with 503.
import { createServer } from 'node:http';
import { connect } from 'node:net';
import t, { type Test } from 'tap';
import WebSocket, { WebSocketServer } from 'ws';
import { startGateway, waitFor } from './helpers/gateway.js';

async function echoBackend(t: Test, id: string) {
  const server = createServer((req, res) => res.end(req.url === '/health' ? 'ok' : id));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    socket.send(JSON.stringify({ id, forwardedFor: req.headers['x-forwarded-for'], requestId: req.headers['x-request-id'], upgrade: req.headers.upgrade }));
    socket.on('message', (data) => socket.send(`${id} echo: ${data}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function open(url: string): Promise<{ socket: WebSocket; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('error', reject);
  });
}

t.test('WebSocket through the gateway: round-robin handshake, forwarded headers, messages both ways', async (t) => {
  const backends = [await echoBackend(t, 'ws-1'), await echoBackend(t, 'ws-2')];
  const gw = await startGateway({ backends });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.available === 2);
  const wsUrl = gw.url.replace('http://', 'ws://');

  const first = await open(`${wsUrl}/chat`);
  const second = await open(`${wsUrl}/chat`);
  await waitFor(() => first.messages.length === 1 && second.messages.length === 1);
  const hello = [first, second].map((c) => JSON.parse(c.messages[0]!) as { id: string; forwardedFor: string; requestId: string });
  t.same(hello.map((h) => h.id).sort(), ['ws-1', 'ws-2'], 'one connection to each backend');
  t.equal(hello[0]!.forwardedFor, '127.0.0.1');
  t.match(hello[0]!.requestId, /^[0-9a-f-]{36}$/);

  first.socket.send('ping');
  await waitFor(() => first.messages.length === 2);
  t.equal(first.messages[1], `${hello[0]!.id} echo: ping`);
  first.socket.close();
  second.socket.close();
});

/** A handshake as written by hand, with the Upgrade value given; resolves with the answer's head and first frame. */
function handshake(url: string, upgrade: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      // The backend greets right after its 101: wait for that first text frame.
      if (/\r\n\r\n\x81[\s\S]*\}$/.test(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed; received: ${received}`)));
    socket.write(`GET /chat HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

t.test('the token in any case, and among others: only WebSocket is offered to the backend', async (t) => {
  const gw = await startGateway({ backends: [await echoBackend(t, 'ws-1')] });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  for (const upgrade of ['WebSocket', 'h2c, websocket']) {
    const answer = await handshake(gw.url, upgrade);
    t.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/, `Upgrade: ${upgrade} is tunnelled`);
    t.match(answer, /"upgrade":"websocket"/, `Upgrade: ${upgrade}: the backend was offered websocket alone`);
  }
});

t.test('no backend available: the handshake gets 503', async (t) => {
  const gw = await startGateway({ backends: ['http://127.0.0.1:9'], healthCheck: { intervalMs: 60_000, timeoutMs: 100 } });
  t.teardown(() => gw.close());
  const status = await new Promise<number>((resolve) => {
    const socket = new WebSocket(`${gw.url.replace('http://', 'ws://')}/chat`);
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => resolve(-1));
  });
  t.equal(status, 503);
});
