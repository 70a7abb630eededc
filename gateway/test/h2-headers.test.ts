// Headers across the HTTP/2 → HTTP/1.1 boundary (h2-request.ts, forwarded-headers.ts), with curl over h2c:
// the backend gets no pseudo-header, :authority as Host, one Cookie and TE: trailers; a backend answering with
// connection-specific headers (Connection: keep-alive, Keep-Alive, Transfer-Encoding, Proxy-Connection,
// HTTP2-Settings, a header Connection names) still gives the HTTP/2 client its response, without them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { startH2cGateway } from './helpers/h2c-gateway.js';

const run = promisify(execFile);

t.test('pseudo-headers and hop-by-hop headers are not forwarded either way', async (t) => {
  const backend = await startCountingServer((req, res) => {
    res.writeHead(200, [
      'content-type', 'application/json',
      'connection', 'keep-alive, x-hop',
      'keep-alive', 'timeout=5',
      'proxy-connection', 'keep-alive',
      'http2-settings', 'AAMAAABkAARAAAAAAAIAAAAA',
      'x-hop', 'private to this connection',
      'x-end-to-end', 'kept',
      'transfer-encoding', 'chunked',
    ]);
    res.end(JSON.stringify(req.rawHeaders));
  });
  const { gw } = await startH2cGateway(t, [backend.url]);
  t.teardown(() => backend.close());

  const { stdout } = await run('curl', [
    '-s', '-i', '--max-time', '10', '--http2-prior-knowledge',
    '-H', 'TE: trailers', '-H', 'Cookie: a=1', '-H', 'Cookie: b=2',
    `http://localhost:${gw.h2cPort!}/echo?q=1`,
  ]);
  const [head, body] = stdout.split('\r\n\r\n');
  t.match(head, /^HTTP\/2 200/, 'the HTTP/2 response went out despite the backend\'s connection headers');
  const responseHeaders = head!.toLowerCase();
  for (const name of ['connection', 'keep-alive', 'proxy-connection', 'http2-settings', 'x-hop', 'transfer-encoding']) {
    t.notMatch(responseHeaders, new RegExp(`^${name}:`, 'm'), `the client gets no ${name}`);
  }
  t.match(responseHeaders, /^x-end-to-end: kept$/m, 'end-to-end headers pass');

  const raw = JSON.parse(body!) as string[];
  const names = raw.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase());
  t.same(names.filter((name) => name.startsWith(':')), [], 'no pseudo-header reaches the backend');
  const value = (name: string) => raw.filter((_, index) => index % 2 === 1 && raw[index - 1]!.toLowerCase() === name);
  t.same(value('host'), [`localhost:${gw.h2cPort!}`], ':authority is the one Host');
  t.same(value('cookie'), ['a=1; b=2'], 'cookies joined into one header (RFC 9113 §8.2.3)');
  t.same(value('te'), ['trailers'], 'TE: trailers is forwarded');
  t.same(backend.arrivals.get('GET /echo?q=1'), 1);
});
