// Upgrade offers other than WebSocket (h2c from `curl --http2`, unknown tokens) are never tunnelled: the gateway
// serves them as plain HTTP/1.1 requests through the proxy, and the backend sees neither Upgrade nor the
// headers Connection names (HTTP2-Settings). Bodies, keep-alive, pipelining and shutdown behave as usual.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { killAll, spawnBackend } from './helpers/backend-processes.js';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';

const run = promisify(execFile);
const H2C_OFFER = ['-H', 'Connection: Upgrade, HTTP2-Settings', '-H', 'Upgrade: h2c', '-H', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA'];

/** curl's answer bodies (one a line) and its trace (stderr). */
async function curl(...args: string[]): Promise<{ bodies: string[]; trace: string }> {
  const { stdout, stderr } = await run('curl', ['-sv', '--max-time', '20', '-w', '\n', ...args], { maxBuffer: 16 * 1024 * 1024 });
  return { bodies: stdout.split('\n').filter((line) => line !== ''), trace: stderr };
}

type Echo = { headers: Record<string, string> };

t.test('through the demo backend, on both engines', async (t) => {
  const backend = await spawnBackend('backend-1');
  t.teardown(() => killAll([backend]));
  for (const engine of ['undici', 'reply-from']) {
    const gw = await startGateway({ backends: [backend.url], proxy: { engine } });
    t.teardown(() => gw.close());
    await waitFor(() => gw.gateway.loadBalancer.hasAvailable);

    // Two URLs: the second request goes over the same connection, after the first one was replayed.
    const h2c = await curl('--http2', `${gw.url}/headers`, `${gw.url}/headers?again`);
    t.notMatch(h2c.trace, /101 Switching Protocols/, `${engine}: curl --http2 is not switched to h2c`);
    t.match(h2c.trace, /> Upgrade: h2c/, `${engine}: curl did offer h2c`);
    t.equal(h2c.trace.match(/< HTTP\/1\.1 200 OK/g)?.length, 2, `${engine}: both answered in HTTP/1.1`);
    t.match(h2c.trace, /Re-using existing connection/, `${engine}: the connection stays open for the next request`);
    for (const body of h2c.bodies) {
      const { headers } = JSON.parse(body) as Echo;
      t.notOk('upgrade' in headers || 'http2-settings' in headers, `${engine}: the backend saw no upgrade offer`);
    }

    const unknown = await curl('-H', 'Connection: Upgrade', '-H', 'Upgrade: foo/1', `${gw.url}/headers`);
    t.match(unknown.trace, /< HTTP\/1\.1 200 OK/, `${engine}: an unknown token is served as plain HTTP/1.1`);
    t.notOk('upgrade' in (JSON.parse(unknown.bodies[0]!) as Echo).headers);
  }
});

t.test('uploads with an h2c offer reach /upload whole: Content-Length (with Expect) and chunked', async (t) => {
  const backend = await spawnBackend('backend-1');
  const gw = await startGateway({ backends: [backend.url] });
  t.teardown(async () => {
    await gw.close();
    await killAll([backend]);
  });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  const data = randomBytes(2 * 1024 * 1024);
  const file = join(scratchDir('upgrade-upload'), 'body.bin');
  writeFileSync(file, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  const upload = ['-X', 'POST', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${file}`, ...H2C_OFFER];

  for (const [name, extra] of [['Content-Length', []], ['chunked', ['-H', 'Transfer-Encoding: chunked']]] as const) {
    const { bodies, trace } = await curl(...upload, ...extra, `${gw.url}/upload`);
    t.match(trace, /< HTTP\/1\.1 200 OK/, `${name}: answered in HTTP/1.1`);
    if (name === 'Content-Length') t.match(trace, /> Expect: 100-continue/, 'curl waited for 100 Continue, as it does past 1 MB');
    t.same(JSON.parse(bodies[0]!), { bytes: data.length, sha256 }, `${name}: the backend hashed the whole body`);
  }
});

t.test('pipelined behind a slow request, the offer waits its turn and outlives the keep-alive timer', async (t) => {
  // /first ends after the gateway's keep-alive timer would start; /second takes longer than that timer.
  const backend = await startCountingServer((req, res) => setTimeout(() => res.end(`answer to ${req.url}`), req.url === '/first' ? 200 : 1_500));
  const gw = await startGateway({ backends: [backend.url], limits: { clientKeepAliveTimeoutMs: 100 } });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  const host = `Host: ${new URL(gw.url).host}\r\n`;
  const answers = await exchange(gw.url, `GET /first HTTP/1.1\r\n${host}\r\nGET /second HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n`, /answer to \/second/);
  t.match(answers, /^HTTP\/1\.1 200 OK[\s\S]*answer to \/first[\s\S]*HTTP\/1\.1 200 OK[\s\S]*answer to \/second$/, 'both answered, in order');
});

t.test('an idle connection after a replayed request does not hold shutdown', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('World'));
  const gw = await startGateway({ backends: [backend.url] });
  t.teardown(() => backend.close());
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  const socket = connect(Number(new URL(gw.url).port), '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.write(`GET /a HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`);
  await waitFor(() => received.includes('World'));
  const started = Date.now();
  await gw.close();
  await closed;
  t.ok(Date.now() - started < 1_000, 'the gateway closed the idle connection at once');
});

/** Writes raw bytes on one connection and resolves with all that came back once `until` matches. */
function exchange(url: string, text: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
      if (until.test(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('close', () => reject(new Error(`connection closed; received: ${received}`)));
    socket.on('error', reject);
    socket.write(text);
  });
}
