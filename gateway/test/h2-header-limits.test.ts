// Header list limits on HTTP/2 (http2.maxHeaderListBytes, 128 fields): a curl request with a 20 KB header and an
// HPACK bomb (one 4 KB field in the dynamic table, then referenced 100,000 times at one byte each: 400 MB once
// decoded) are both refused without reaching the backend; the gateway's RSS stays bounded and it serves World.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { startH2cGateway } from './helpers/h2c-gateway.js';
import { getRequestBlock, headerFrames, literalIndexed, rawH2 } from './helpers/h2-frames.js';

const run = promisify(execFile);
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

t.test('oversized header lists and an HPACK bomb are refused, the gateway stays bounded', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('World'));
  const { gw, url: base } = await startH2cGateway(t, [backend.url]);
  t.teardown(() => backend.close());
  const url = `${base}/`;
  const rssBefore = process.memoryUsage().rss;

  const big = await run('curl', ['-s', '--max-time', '10', '--http2-prior-knowledge', '-o', '/dev/null', '-w', '%{http_code}', '-H', `x-big: ${'a'.repeat(20_000)}`, url]).catch((error: { stdout: string }) => error);
  t.not(big.stdout, '200', `a 20 KB header is refused (curl saw ${big.stdout})`);

  const { socket, closed } = rawH2(gw.h2cPort!);
  const bomb = Buffer.concat([getRequestBlock('localhost'), literalIndexed('x-bomb', 'b'.repeat(4_000)), Buffer.alloc(100_000, 0x80 | 62)]);
  socket.write(headerFrames(1, bomb));
  const timeout = setTimeout(() => socket.destroy(), 10_000);
  const { goaway } = await closed;
  clearTimeout(timeout);
  t.not(goaway, undefined, `the bomb's connection got a GOAWAY (code ${goaway})`);

  t.same([...backend.arrivals.keys()], [], 'neither request reached the backend');
  const growth = process.memoryUsage().rss - rssBefore;
  t.ok(growth < MAX_RSS_GROWTH, `RSS grew ${Math.round(growth / 1024 / 1024)} MB (under ${MAX_RSS_GROWTH / 1024 / 1024})`);
  const hello = await run('curl', ['-s', '--max-time', '10', '--http2-prior-knowledge', `${url}hello`]);
  t.equal(hello.stdout, 'World', 'another client is served');
});
