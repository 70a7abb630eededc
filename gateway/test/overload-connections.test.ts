// The cap on open client connections (limits.maxClientConnections), with real sockets and curl: a connection past
// the cap is not cut silently (as Node's server.maxConnections does) but its request gets 503 too_many_connections
// with Retry-After and Connection: close; one that sends nothing is closed soon; when a connection closes, the
// next one is served.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

const run = promisify(execFile);

async function openIdle(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  return socket;
}

/** Status, Retry-After, Connection header and body of one curl request. */
async function curl(url: string) {
  const { stdout } = await run('curl', ['-s', '--max-time', '10', '-w', '\n%{http_code}|%header{retry-after}|%header{connection}', url]);
  const cut = stdout.lastIndexOf('\n');
  const [status, retryAfter, connection] = stdout.slice(cut + 1).split('|');
  return { status: Number(status), retryAfter, connection, body: stdout.slice(0, cut) };
}

t.test('past maxClientConnections: 503 too_many_connections, then served once a connection closes', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, limits: { maxClientConnections: 2 } });
  const held = [await openIdle(gw.url), await openIdle(gw.url)];
  t.teardown(async () => {
    for (const socket of held) socket.destroy();
    await gw.close();
    await backend.close();
  });

  const refused = await curl(`${gw.url}/x`);
  t.equal(refused.status, 503, 'a 3rd connection’s request: 503');
  t.match(JSON.parse(refused.body), { error: 'too_many_connections', requestId: /.+/ }, 'the gateway’s JSON error says why');
  t.equal(refused.retryAfter, '1', 'Retry-After: 1');
  t.equal(refused.connection, 'close', 'Connection: close');
  t.equal(backend.arrivals.get('GET /x'), undefined, 'the backend never saw it');

  const silent = await openIdle(gw.url);
  held.push(silent);
  const started = Date.now();
  await once(silent, 'close');
  t.ok(Date.now() - started < 5_000, `a connection past the cap that sends nothing is closed (${Date.now() - started} ms)`);

  held[0]!.destroy();
  await waitFor(async () => (await curl(`${gw.url}/x`)).status === 200, 3_000, 50);
  t.pass('once one held connection closed, a new one is served');
  t.ok(await metricSum(gw.adminUrl, 'gateway_shed_total', { reason: 'client_connections' }) >= 1, 'gateway_shed_total{reason="client_connections"}');
});
