// WebSocket tunnels to wss:// (https://) backends use the pool's tls settings, as its other requests do: a ws
// client through the gateway reaches a TLS WebSocket backend that requires a client certificate only when the
// pool has the CA that signed the backend, its client certificate and key, and the server name the certificate
// is for (or rejectUnauthorized: false); otherwise the handshake is refused with 502 and nothing is upgraded.
import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import t from 'tap';
import WebSocket, { WebSocketServer } from 'ws';
import { startGateway } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const dir = scratchDir('tunnel-socket');
const serverCert = makeCertificate(dir, 'wss-backend', ['backend.test']);
const clientCert = makeCertificate(dir, 'gateway-client', ['gateway-client']);

/** A wss:// echo backend that requires a client certificate signed by clientCert; it greets with who connected. */
async function mtlsWebSocketBackend(): Promise<{ url: string; upgrades: () => number; close: () => void }> {
  const server: Server = createServer({
    cert: readFileSync(serverCert.cert),
    key: readFileSync(serverCert.key),
    ca: readFileSync(clientCert.cert),
    requestCert: true,
    rejectUnauthorized: true,
  }, (req, res) => res.end('ok'));
  server.on('tlsClientError', () => {});
  let upgrades = 0;
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    upgrades += 1;
    const tls = req.socket as TLSSocket;
    socket.send(JSON.stringify({ clientCn: tls.getPeerCertificate().subject?.CN, servername: tls.servername || null }));
    socket.on('message', (data) => socket.send(`echo: ${data}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as { port: number }).port}`,
    upgrades: () => upgrades,
    close: () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

type Outcome = { status: 101; hello: { clientCn: string; servername: string | null }; echo: string } | { status: number };

/** Opens a WebSocket through the gateway, sends one message; the handshake status and what came back. */
function exchange(url: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: string[] = [];
    socket.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on('error', (error) => (error.message.startsWith('Unexpected server response') ? undefined : reject(error)));
    socket.on('message', (data) => {
      messages.push(String(data));
      if (messages.length === 1) socket.send('ping');
      else {
        resolve({ status: 101, hello: JSON.parse(messages[0]!) as { clientCn: string; servername: string | null }, echo: messages[1]! });
        socket.close();
      }
    });
  });
}

const rows: { name: string; tls: Record<string, unknown>; status: number; servername?: string | null }[] = [
  { name: 'CA, client certificate and server name', tls: { ca: serverCert.cert, cert: clientCert.cert, key: clientCert.key, servername: 'backend.test' }, status: 101, servername: 'backend.test' },
  { name: 'no client certificate: the backend refuses the TLS handshake', tls: { ca: serverCert.cert, servername: 'backend.test' }, status: 502 },
  { name: 'no CA: the backend is not trusted', tls: { cert: clientCert.cert, key: clientCert.key, servername: 'backend.test' }, status: 502 },
  { name: 'a server name the certificate is not for', tls: { ca: serverCert.cert, cert: clientCert.cert, key: clientCert.key, servername: 'other.test' }, status: 502 },
  { name: 'rejectUnauthorized false: no CA needed; an address gets no SNI', tls: { cert: clientCert.cert, key: clientCert.key, rejectUnauthorized: false }, status: 101, servername: null },
];

for (const row of rows) {
  t.test(`pool tls with ${row.name}: ${row.status}`, async (t) => {
    const backend = await mtlsWebSocketBackend();
    t.teardown(() => backend.close());
    const gateway = await startGateway({
      pools: { secure: { backends: [backend.url], tls: row.tls, healthCheck: { enabled: false } } },
      routes: [{ name: 'all', pool: 'secure' }],
    });
    t.teardown(() => gateway.close());
    const outcome = await exchange(`${gateway.url.replace('http://', 'ws://')}/chat`);
    t.equal(outcome.status, row.status);
    if ('hello' in outcome) {
      t.equal(outcome.hello.clientCn, 'gateway-client', 'the backend saw the pool client certificate');
      t.equal(outcome.hello.servername, row.servername, 'SNI as the pool says');
      t.equal(outcome.echo, 'echo: ping', 'messages flow both ways');
    } else {
      t.equal(backend.upgrades(), 0, 'nothing was upgraded');
    }
  });
}
