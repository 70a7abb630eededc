// Header semantics at the proxy boundary: X-Forwarded-For appended, -Proto/-Host set, X-Request-Id kept when
// sane and generated otherwise, hop-by-hop headers and those named in Connection removed in both directions.
import { createServer } from 'node:http';
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { rawRequest } from './helpers/raw-http.js';

t.test('request headers the backend receives', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ backends: [backend!.url] });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);

  const seen = async (headers: Record<string, string>) => {
    const response = await request(`${gw.url}/headers?x=1`, { headers });
    t.equal(response.statusCode, 200);
    return ((await response.body.json()) as { url: string; headers: Record<string, string> });
  };

  // Sent raw: client libraries refuse to send hop-by-hop headers themselves.
  const raw = await rawRequest(gw.url, [
    'GET /headers?x=1 HTTP/1.1',
    `Host: ${new URL(gw.url).host}`,
    'X-Forwarded-For: 203.0.113.7',
    'X-Request-Id: abc-123',
    'X-Forwarded-Proto: https',
    'Keep-Alive: timeout=5',
    'X-Secret-Hop: drop me',
    'Connection: close, X-Secret-Hop',
    'X-Custom: kept',
    '', '',
  ].join('\n'));
  t.match(raw, /^HTTP\/1\.1 200 /);
  const first = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { url: string; headers: Record<string, string> };
  t.equal(first.url, '/headers?x=1', 'path and query forwarded as sent');
  t.equal(first.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1', 'client address appended to the chain');
  t.equal(first.headers['x-forwarded-proto'], 'http', 'proto is what this hop saw, not what the client claimed');
  t.match(first.headers['x-forwarded-host'], /^127\.0\.0\.1:\d+$/);
  t.equal(first.headers['x-request-id'], 'abc-123', 'a sane request id is kept');
  t.equal(first.headers['x-custom'], 'kept');
  t.notOk('x-secret-hop' in first.headers, 'a header named in Connection is removed');
  t.notOk('keep-alive' in first.headers, 'hop-by-hop Keep-Alive is removed');

  const second = await seen({ 'x-request-id': 'bad id with spaces <script>' });
  t.equal(second.headers['x-forwarded-for'], '127.0.0.1');
  t.match(second.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'an insane request id is replaced by a generated one');
});

t.test('response headers the client receives', async (t) => {
  const backend = createServer((_req, res) => {
    res.writeHead(200, [
      'Connection', 'keep-alive, X-Internal',
      'X-Internal', 'secret',
      'Keep-Alive', 'timeout=5',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
      'Content-Type', 'text/plain',
    ]);
    res.end('ok');
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(backend.address() as { port: number }).port}`;
  const gw = await startGateway({ backends: [url], healthCheck: { enabled: false } });
  t.teardown(async () => {
    await gw.close();
    backend.close();
  });

  const response = await request(`${gw.url}/anything`);
  t.equal(await response.body.text(), 'ok');
  t.notOk(response.headers['x-internal'], 'a header named in the backend\'s Connection is removed');
  t.same(response.headers['set-cookie'], ['a=1', 'b=2'], 'repeated headers stay separate');
  t.equal(response.headers['content-type'], 'text/plain');
});
