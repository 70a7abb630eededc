// The paced generator against a real server on loopback: exactly rate × duration requests, started evenly
// (no second's quota sent in one burst, as autocannon's --rate does), every answer counted, and abort stops it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { runPaced } from '../paced-load.js';

async function serverAnswering(status: number): Promise<{ url: string; arrivals: number[]; server: Server }> {
  const arrivals: number[] = [];
  const server = createServer((_req, res) => {
    arrivals.push(performance.now());
    res.statusCode = status;
    res.end('World');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`, arrivals, server };
}

t.test('rate × duration requests, spread over the whole duration', async (t) => {
  const { url, arrivals, server } = await serverAnswering(200);
  t.teardown(() => server.close());
  const result = await runPaced(url, { rate: 400, durationSec: 1, connections: 4 }, new AbortController().signal);
  t.equal(result.requests, 400, 'every scheduled request answered');
  t.equal(result.errors + result.non2xx, 0, 'no errors');
  t.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99 && result.latencyMs.p99 <= result.latencyMs.p999, 'latency percentiles in order');

  // 40 arrivals per 100 ms when even; a burst would put most of the 400 in the first window.
  const first = arrivals[0]!;
  const perWindow = new Map<number, number>();
  for (const at of arrivals) perWindow.set(Math.floor((at - first) / 100), (perWindow.get(Math.floor((at - first) / 100)) ?? 0) + 1);
  const busiest = Math.max(...perWindow.values());
  t.ok(busiest <= 120, `at most 3× the even share in any 100 ms (busiest: ${busiest})`);
  t.ok(arrivals.at(-1)! - first >= 800, `the requests span the second (${Math.round(arrivals.at(-1)! - first)} ms)`);
});

t.test('answers outside 2xx are counted, not hidden', async (t) => {
  const { url, server } = await serverAnswering(503);
  t.teardown(() => server.close());
  const result = await runPaced(url, { rate: 100, durationSec: 1, connections: 2 }, new AbortController().signal);
  t.equal(result.requests, 100, 'every request answered');
  t.equal(result.non2xx, 100, 'all counted as non-2xx');
  t.same([...result.byStatus.keys()], [503], 'kept apart under their status');
  t.equal(result.byStatus.get(503)?.count, 100, 'with every answer');
  t.ok(result.byStatus.get(503)!.latencyMs.p99 > 0, 'and their latency');
});

t.test('refused connections are errors', async (t) => {
  const { url, server } = await serverAnswering(200);
  await new Promise((resolve) => server.close(resolve));
  const result = await runPaced(url, { rate: 50, durationSec: 1, connections: 2 }, new AbortController().signal);
  t.equal(result.errors, 50, 'every request an error');
  t.equal(result.requests, 0, 'no answers');
});

t.test('abort stops the schedule early', async (t) => {
  const { url, arrivals, server } = await serverAnswering(200);
  t.teardown(() => server.close());
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 300);
  const started = performance.now();
  const result = await runPaced(url, { rate: 100, durationSec: 30, connections: 2 }, abort.signal);
  t.ok(performance.now() - started < 5_000, 'returned soon after the abort, not after 30 s');
  t.ok(result.requests > 0 && result.requests < 3_000 && arrivals.length < 3_000, `stopped early (${result.requests} answered)`);
});
