// limits.maxClientConnections counts HTTP/2 connections on the h2c port too: with two held open by a real
// HTTP/2 client, curl's request on a third gets 503 too_many_connections with Retry-After (HTTP/2 has no
// Connection: close; that connection is closed after the cap's grace) and never reaches the backend; once a
// held connection closes, curl is served.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { connect, type ClientHttp2Session } from 'node:http2';
import { promisify } from 'node:util';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor } from './helpers/gateway.js';

const run = promisify(execFile);

async function curlH2c(url: string) {
  const { stdout } = await run('curl', ['-s', '--http2-prior-knowledge', '--max-time', '10', '-w', '\n%{http_code}|%{http_version}|%header{retry-after}', url]);
  const cut = stdout.lastIndexOf('\n');
  const [status, version, retryAfter] = stdout.slice(cut + 1).split('|');
  return { status: Number(status), version, retryAfter, body: stdout.slice(0, cut) };
}

/** An HTTP/2 connection that has been answered once, then stays open. */
async function holdOpen(url: string): Promise<ClientHttp2Session> {
  const session = connect(url);
  const stream = session.request({ ':path': '/held' });
  stream.resume();
  await once(stream, 'end');
  return session;
}

t.test('a 3rd h2c connection past maxClientConnections: 2 gets 503 too_many_connections, then is served once one closes', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, http2: { h2cPort: 0 }, limits: { maxClientConnections: 2 } });
  const url = `http://127.0.0.1:${gw.h2cPort!}`;
  const held = [await holdOpen(url), await holdOpen(url)];
  t.teardown(async () => {
    for (const session of held) session.destroy();
    await gw.close();
    await backend.close();
  });
  t.equal(backend.arrivals.get('GET /held'), 2, 'two HTTP/2 connections served and held open');

  const refused = await curlH2c(`${url}/x`);
  t.equal(refused.version, '2', 'curl spoke HTTP/2');
  t.equal(refused.status, 503, 'a 3rd connection’s request: 503');
  t.match(JSON.parse(refused.body), { error: 'too_many_connections' }, 'the gateway’s JSON error says why');
  t.equal(refused.retryAfter, '1', 'Retry-After: 1');
  t.equal(backend.arrivals.get('GET /x'), undefined, 'the backend never saw it');

  held[0]!.close();
  await waitFor(async () => (await curlH2c(`${url}/x`)).status === 200, 3_000, 50);
  t.pass('once one held connection closed, a new one is served');
});
