// The admin views at scale: with 1,000 backends in the pool, GET /pool and GET /metrics answer in full and in
// well under a second (the target is 100 ms on a quiet machine; the bound here allows a busy one).
import t from 'tap';
import { waitFor } from './helpers/gateway.js';
import { startLoopbackFleet } from './helpers/loopback-fleet.js';
import { parseExposition, sum } from './helpers/prometheus-text.js';

const BACKENDS = 1_000;
const BOUND_MS = 1_000;

async function timed<T>(read: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await read();
  return { value, ms: performance.now() - started };
}

t.test('/pool and /metrics answer for 1,000 backends within a second', async (t) => {
  const gateway = await startLoopbackFleet(t, BACKENDS);
  const readPool = async () => (await (await fetch(`${gateway.adminUrl}/pool`)).json()) as { backends: Array<{ state: string }> };
  await waitFor(async () => (await readPool()).backends.filter((entry) => entry.state === 'up').length === BACKENDS, 30_000, 250);

  // The best of three reads each: one slow read on a busy machine says little about the gateway.
  const poolReads = [await timed(readPool), await timed(readPool), await timed(readPool)];
  t.equal(poolReads[0]!.value.backends.length, BACKENDS, '/pool lists every backend');
  const poolMs = Math.min(...poolReads.map((read) => read.ms));
  t.ok(poolMs < BOUND_MS, `/pool answered in ${poolMs.toFixed(0)} ms`);

  const readMetrics = async () => (await fetch(`${gateway.adminUrl}/metrics`)).text();
  const metricReads = [await timed(readMetrics), await timed(readMetrics), await timed(readMetrics)];
  t.equal(sum(parseExposition(metricReads[0]!.value), 'gateway_backend_up'), BACKENDS, '/metrics has gateway_backend_up 1 for every backend');
  const metricsMs = Math.min(...metricReads.map((read) => read.ms));
  t.ok(metricsMs < BOUND_MS, `/metrics answered in ${metricsMs.toFixed(0)} ms`);
});
