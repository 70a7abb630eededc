// An HTTP/2 backend that refuses a stream (RST_STREAM REFUSED_STREAM: "not processed, safe to retry", RFC 9113
// §8.7) has done nothing with the request, so even a POST goes to the next backend, as after a refused
// connection. curl POSTs through an h2c pool whose first backend refuses every stream: each answer comes from the
// second, the first saw the streams and refused them, and nothing is called a reset. A refused stream that had
// already taken a streamed (chunked) body is not sent again, and never empty.
import { createServer, constants, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { curlTimes } from './helpers/curl.js';
import { startGateway } from './helpers/gateway.js';

async function h2cBackend(t: Test, onStream: (stream: ServerHttp2Stream) => void): Promise<string> {
  const server = createServer();
  server.on('stream', onStream);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An h2c backend that reads each request body whole, records it, and answers 200 with x-backend-id: serving. */
async function servingBackend(t: Test): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const url = await h2cBackend(t, (stream) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      bodies.push(body);
      stream.respond({ ':status': 200, 'x-backend-id': 'serving' });
      stream.end('served');
    });
  });
  return { url, bodies };
}

t.test('a stream the backend refused is sent to the next backend, even a POST', async (t) => {
  let refused = 0;
  const refusing = await h2cBackend(t, (stream) => {
    refused += 1;
    stream.on('error', () => {}); // Node reports the stream's own non-zero close code as an error
    stream.close(constants.NGHTTP2_REFUSED_STREAM);
  });
  const { url: serving, bodies } = await servingBackend(t);
  const gw = await startGateway({
    pools: { api: { backends: [refusing, serving], protocol: 'h2c', healthCheck: { enabled: false } } },
    routes: [{ name: 'all', pool: 'api' }],
  });
  t.teardown(() => gw.close());

  const results = await curlTimes(`${gw.url}/orders`, 4, ['-X', 'POST', '-d', 'order=1']);
  t.same(results.map((result) => result.status), [200, 200, 200, 200], 'every POST answered 200');
  t.same(results.map((result) => result.backend), Array(4).fill('serving'), 'by the backend that serves');
  t.ok(refused >= 1, `the refusing backend was tried (${refused} streams refused)`);
  t.same(bodies, Array(4).fill('order=1'), 'each POST body reached the serving backend once');
});

t.test('a refused stream that took a streamed (chunked) body is not sent again empty', async (t) => {
  const refusing = await h2cBackend(t, (stream) => {
    stream.on('error', () => {});
    stream.resume(); // reads the body, then refuses: the body is spent
    stream.once('end', () => stream.close(constants.NGHTTP2_REFUSED_STREAM));
  });
  const { url: serving, bodies } = await servingBackend(t);
  const gw = await startGateway({
    pools: { api: { backends: [refusing, serving], protocol: 'h2c', healthCheck: { enabled: false }, passiveHealth: { enabled: false } } },
    routes: [{ name: 'all', pool: 'api' }],
  });
  t.teardown(() => gw.close());

  const results = await curlTimes(`${gw.url}/orders`, 4, ['-X', 'POST', '-H', 'Transfer-Encoding: chunked', '--data-binary', 'order=2']);
  const statuses = results.map((result) => result.status);
  t.ok(statuses.every((status) => status === 200 || status === 502), `200 from the serving backend or 502, nothing else (${statuses.join(' ')})`);
  t.ok(statuses.includes(502), 'a POST whose body the refusing backend took is answered 502, not retried');
  t.same(bodies, Array(bodies.length).fill('order=2'), `the serving backend got ${bodies.length} whole bodies and never an empty one`);
});
