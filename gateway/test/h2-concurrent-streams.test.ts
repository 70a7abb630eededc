// http2.maxConcurrentStreams per connection: the gateway announces it in SETTINGS, and a client that ignores it
// (30 requests at once on one connection with the limit at 20, raw frames) gets only 20 forwarded; the rest are refused.
import { connect } from 'node:http2';
import type { ServerResponse } from 'node:http';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { getRequestBlock, headerFrames, rawH2 } from './helpers/h2-frames.js';

t.test('at most maxConcurrentStreams streams of one connection are in flight', async (t) => {
  const held: ServerResponse[] = [];
  // Holds every response, so each forwarded stream stays open.
  const backend = await startCountingServer((_req, res) => held.push(res));
  const gw = await startGateway({ backends: [backend.url], http2: { h2cPort: 0, maxConcurrentStreams: 20 }, healthCheck: { fall: 100 } });
  t.teardown(async () => {
    for (const res of held) res.end('late');
    await gw.close();
    await backend.close();
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 1);

  const session = connect(`http://127.0.0.1:${gw.h2cPort!}`);
  await new Promise<void>((resolve) => session.once('remoteSettings', () => resolve()));
  t.equal(session.remoteSettings.maxConcurrentStreams, 20, 'announced in SETTINGS');
  session.close();

  const { socket } = rawH2(gw.h2cPort!);
  t.teardown(() => socket.destroy());
  const block = getRequestBlock('localhost');
  for (let stream = 1; stream < 2 * 30; stream += 2) socket.write(headerFrames(stream, block));
  await waitFor(() => held.length >= 20, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 500)); // any stream over the limit would arrive by now
  t.equal(held.length, 20, '20 of 30 streams forwarded, the other 10 refused');
});
