// Flow control end to end over HTTP/2: a client that asks for 100 MB and then reads slowly (nothing for 4 s, then
// a trickle) does not make the gateway buffer the body. HTTP/2 window → res.write false → the backend's socket is
// paused (forwarding.ts), so the gateway process grows by far less than the 100 MB a buffering proxy would hold.
import { connect } from 'node:http2';
import t from 'tap';
import { request } from 'undici';
import { spawnBackend } from './helpers/backend-processes.js';
import { rssBytes, spawnGateway } from './helpers/gateway-process.js';
import { waitFor } from './helpers/gateway.js';

const SIZE = 100 * 1024 * 1024;
/** As in large-body-streaming.test.ts: garbage not yet collected, up to 90 MB on the loaded machine. */
const GROWTH_LIMIT = 90 * 1024 * 1024;

t.test('a slow HTTP/2 client downloading 100 MB: the gateway holds back, it does not buffer', async (t) => {
  const backend = await spawnBackend('backend-1');
  const gw = await spawnGateway({ GATEWAY_BACKENDS: backend.url, GATEWAY_HTTP2_H2C_PORT: '0' });
  t.teardown(async () => {
    gw.child.kill('SIGKILL');
    await backend.kill();
  });
  await waitFor(async () => (await request(`${gw.url}/health`)).statusCode === 200);
  const h2cPort = gw.logs.find((entry) => entry.msg === 'gateway listening')!.h2cPort as number;

  const idle = await rssBytes(gw.child.pid!);
  let peak = idle;
  const sampler = setInterval(() => void rssBytes(gw.child.pid!).then((rss) => (peak = Math.max(peak, rss)), () => {}), 50);
  t.teardown(() => clearInterval(sampler));

  const session = connect(`http://127.0.0.1:${h2cPort}`);
  t.teardown(() => session.destroy());
  const stream = session.request({ ':path': `/download?bytes=${SIZE}` });
  const status = await new Promise<number>((resolve) => stream.once('response', (headers) => resolve(Number(headers[':status']))));
  t.equal(status, 200);
  stream.pause();
  await new Promise((resolve) => setTimeout(resolve, 4_000)); // a buffering gateway would pull all 100 MB now

  // Then a trickle: 2 s of reading with pauses, bounded in time; the rest is cancelled.
  let received = 0;
  stream.on('data', (chunk: Buffer) => {
    received += chunk.length;
    stream.pause();
    setTimeout(() => stream.resume(), 20);
  });
  stream.resume();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  stream.close();
  clearInterval(sampler);
  peak = Math.max(peak, await rssBytes(gw.child.pid!));

  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  t.ok(received > 0 && received < SIZE, `the slow client read ${mb(received)} MB of 100`);
  t.ok(peak - idle < GROWTH_LIMIT, `gateway RSS ${mb(idle)} MB idle, ${mb(peak)} MB peak: grew ${mb(peak - idle)} MB < 90 MB`);
});
