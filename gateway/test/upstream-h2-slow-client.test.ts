// A slow client of an HTTP/2 pool: proxy.bodyTimeoutMs bounds the backend's silence, not the time the client
// keeps the transfer paused. An h2c backend sends 64 MiB at once; the client reads 64 KiB, stops reading for 2 s
// (four body timeouts), then reads the rest: every byte arrives and the backend is not blamed. Before, the
// gateway's stream to the backend timed out while paused for the client and the download was cut.
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startGateway } from './helpers/gateway.js';

/** More than loopback's socket buffers hold, so the client's pause really stops the transfer at the backend. */
const SIZE = 64 * 1024 * 1024;
const BODY_TIMEOUT_MS = 500;

t.test('a client pausing for four body timeouts still gets the whole body', async (t) => {
  const backend = createServer();
  backend.on('stream', (stream) => {
    stream.on('error', () => {});
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': String(SIZE) });
    stream.end(Buffer.alloc(SIZE, 7));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => backend.close(() => resolve())));
  const gw = await startGateway({
    pools: { files: { backends: [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`], protocol: 'h2c', healthCheck: { enabled: false } } },
    routes: [{ name: 'all', pool: 'files' }],
    proxy: { bodyTimeoutMs: BODY_TIMEOUT_MS },
  });
  t.teardown(() => gw.close());

  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => request(`${gw.url}/big`, resolve).on('error', reject).end());
  t.equal(res.statusCode, 200);
  let received = 0;
  let paused = false;
  res.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (!paused && received >= 64 * 1024) {
      paused = true;
      res.pause();
      setTimeout(() => res.resume(), 4 * BODY_TIMEOUT_MS);
    }
  });
  let cut: string | undefined;
  res.on('error', (error) => (cut = error.message));
  await Promise.race([once(res, 'end'), once(res, 'close')]);
  t.equal(cut, undefined, 'the download was not cut');
  t.ok(paused, 'the client paused after 64 KiB');
  t.equal(received, SIZE, `all ${SIZE} bytes arrived after a pause of ${4 * BODY_TIMEOUT_MS} ms`);
  t.equal(res.complete, true, 'the response ended normally');
});
