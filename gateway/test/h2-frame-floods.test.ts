// SETTINGS and PING floods on the h2c listener (each frame asks for an acknowledgement; the attacker never reads
// them, so they queue in the gateway): the gateway closes the attacking connection, its RSS stays bounded, and
// another client is served World meanwhile. The bound is nghttp2's cap on queued acknowledgements under
// http2.maxSessionMemoryMb (http2-options.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startH2cGateway } from './helpers/h2c-gateway.js';
import { FRAME, frame, rawH2 } from './helpers/h2-frames.js';

const run = promisify(execFile);
const FRAMES = 2_000_000;
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

async function flood(port: number, one: Buffer): Promise<{ sent: number; closedAfterMs: number }> {
  const { socket, closed } = rawH2(port, { read: false });
  const started = Date.now();
  const batch = Buffer.concat(Array.from({ length: 1_000 }, () => one));
  let sent = 0;
  // Bounded by count (FRAMES) and by the server closing the socket; paced by 'drain'.
  const write = (): void => {
    while (sent < FRAMES && !socket.destroyed && socket.writable) {
      sent += 1_000;
      if (!socket.write(batch)) return void socket.once('drain', write);
    }
  };
  write();
  const timeout = setTimeout(() => socket.destroy(), 20_000);
  await closed;
  clearTimeout(timeout);
  return { sent, closedAfterMs: Date.now() - started };
}

for (const [name, one] of [['SETTINGS', frame(FRAME.SETTINGS, 0, 0)], ['PING', frame(FRAME.PING, 0, 0, Buffer.alloc(8))]] as const) {
  t.test(`a ${name} flood is cut off and other clients are served`, async (t) => {
    const [backend] = await startBackends(1);
    const { gw } = await startH2cGateway(t, [backend!.url]);
    t.teardown(() => backend!.stop());
    const rssBefore = process.memoryUsage().rss;

    const [attack, bystander] = await Promise.all([
      flood(gw.h2cPort!, one),
      run('curl', ['-s', '--max-time', '10', '--http2-prior-knowledge', `http://127.0.0.1:${gw.h2cPort!}/hello`]),
    ]);
    t.ok(attack.closedAfterMs < 20_000, `the gateway closed the flooding connection (after ${attack.sent} frames, ${attack.closedAfterMs} ms)`);
    t.ok(attack.sent < FRAMES, 'before the flood was over');
    t.equal(bystander.stdout, 'World', 'another client was served during the flood');
    const growth = process.memoryUsage().rss - rssBefore;
    t.ok(growth < MAX_RSS_GROWTH, `RSS grew ${Math.round(growth / 1024 / 1024)} MB (under ${MAX_RSS_GROWTH / 1024 / 1024})`);
    const after = await run('curl', ['-s', '--max-time', '10', '--http2-prior-knowledge', `http://127.0.0.1:${gw.h2cPort!}/hello`]);
    t.equal(after.stdout, 'World', 'and after it');
  });
}
