// A backend that shuts down gracefully sends GOAWAY naming the last stream it processed; a stream past it was not
// processed (RFC 9113 §6.8), so even a POST on it goes to the next backend, as a refused stream does. curl POSTs
// through an h2c pool whose first backend serves the first stream of a connection and answers any later one with
// GOAWAY (last stream 1): every POST is answered 200, and each body reaches exactly one backend, once.
import { constants, createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { curlTimes } from './helpers/curl.js';
import { startGateway } from './helpers/gateway.js';

/** An h2c backend recording each request's body; `leaving` serves only stream 1 of a connection. */
async function backend(t: Test, id: string, bodies: string[], leaving: boolean): Promise<{ origin: string; goaways: () => number }> {
  const sessions: ServerHttp2Session[] = [];
  let goaways = 0;
  const server: Http2Server = createServer();
  server.on('session', (session) => {
    sessions.push(session);
    session.on('error', () => {});
  });
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    if (leaving && stream.id !== 1) {
      goaways += 1;
      stream.session!.goaway(constants.NGHTTP2_NO_ERROR, 1);
      return;
    }
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      bodies.push(`${id} ${body}`);
      stream.respond({ ':status': 200, 'x-backend-id': id });
      stream.end('served');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const session of sessions) session.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, goaways: () => goaways };
}

t.test('a stream past a backend GOAWAY is sent to the next backend, even a POST', async (t) => {
  const bodies: string[] = [];
  const leaving = await backend(t, 'leaving', bodies, true);
  const serving = await backend(t, 'serving', bodies, false);
  const gw = await startGateway({
    pools: { api: { backends: [leaving.origin, serving.origin], protocol: 'h2c', healthCheck: { enabled: false }, passiveHealth: { enabled: false } } },
    routes: [{ name: 'all', pool: 'api' }],
  });
  t.teardown(() => gw.close());

  const results = await curlTimes(`${gw.url}/orders`, 6, ['-X', 'POST', '-d', 'order', '--max-time', '10']);
  t.same(results.map((result) => result.status), Array(6).fill(200), 'every POST answered 200');
  t.ok(leaving.goaways() >= 1, `the leaving backend answered ${leaving.goaways()} stream(s) with GOAWAY`);
  t.equal(bodies.length, 6, `six bodies delivered in all, none twice (${bodies.join(', ')})`);
  t.same(results.map((result) => result.backend).sort(), bodies.map((body) => body.split(' ')[0]).sort(), 'each by the backend that answered');
  t.ok(bodies.every((body) => body.endsWith(' order')), 'each whole');
});
