// Active checks spread their first probes: 500 backends listed at start are not probed in one burst (which
// overflowed the backend's accept queue and timed out healthy backends); seen from the backend, by arrival time.
import { createServer } from 'node:http';
import t from 'tap';
import { spawnGateway } from './helpers/gateway-process.js';
import { waitFor } from './helpers/gateway.js';
import { loopbackOrigins } from './helpers/loopback-fleet.js';

const BACKENDS = 500;
/** At most one first probe per ms would take 500 ms; the bound leaves room for rounding and batching. */
const MIN_SPREAD_MS = 400;

t.test('the first probes of 500 backends arrive spread out, not at once', async (t) => {
  // First /health arrival per local address (each 127.0.X.Y is one backend of the gateway's pool).
  const firstProbe = new Map<string, number>();
  const server = createServer((req, res) => {
    const address = req.socket.localAddress ?? '';
    if (req.url === '/health' && !firstProbe.has(address)) firstProbe.set(address, performance.now());
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  // A long interval: every arrival recorded is a first probe's.
  const gateway = await spawnGateway({ GATEWAY_BACKENDS: loopbackOrigins(BACKENDS, port).join(','), GATEWAY_HEALTH_CHECK_INTERVAL_MS: '10000', GATEWAY_HEALTH_CHECK_TIMEOUT_MS: '5000' });
  t.teardown(async () => {
    gateway.child.kill('SIGKILL');
    await gateway.exited;
  });

  await waitFor(() => firstProbe.size === BACKENDS, 30_000, 50);
  const times = [...firstProbe.values()];
  const spreadMs = Math.max(...times) - Math.min(...times);
  t.ok(spreadMs >= MIN_SPREAD_MS, `the first probes arrived over ${spreadMs.toFixed(0)} ms (at least ${MIN_SPREAD_MS} ms)`);
});
