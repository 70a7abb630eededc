// After known traffic, /metrics carries every metric of the contract with its type, gateway_requests_total
// matches the requests sent (by backend, method and code) exactly, the histogram counts match, and promtool accepts it.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scrape } from './helpers/observability.js';
import { find, sum } from './helpers/prometheus-text.js';

const CONTRACT: Record<string, string> = {
  gateway_requests_total: 'counter',
  gateway_request_duration_seconds: 'histogram',
  gateway_backend_up: 'gauge',
  gateway_backend_in_flight: 'gauge',
  gateway_health_checks_total: 'counter',
  gateway_backend_transitions_total: 'counter',
  gateway_retries_total: 'counter',
  gateway_no_backend_total: 'counter',
  gateway_heartbeat_age_seconds: 'gauge',
  gateway_build_info: 'gauge',
  process_cpu_seconds_total: 'counter',
  process_resident_memory_bytes: 'gauge',
};

t.test('requests are counted exactly, by backend, method and code', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: backends.map((b) => b.url) });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));

  // What the client saw, keyed "backend method code": the metrics must say the same.
  const seen = new Map<string, number>();
  const send = async (method: string, path: string, body?: string) => {
    const response = await request(`${gw.url}${path}`, { method: method as 'GET', body });
    await response.body.dump();
    const key = `${response.headers['x-backend-id']} ${method} ${response.statusCode}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  };
  for (let i = 0; i < 31; i++) await send('GET', '/hello');
  for (let i = 0; i < 7; i++) await send('POST', '/hello', 'Hello');
  for (let i = 0; i < 4; i++) await send('GET', '/no-such-page');
  for (let i = 0; i < 2; i++) await send('PROPFIND', '/hello');

  const { text, exposition, contentType } = await scrape(gw.adminUrl);
  t.match(contentType, /^text\/plain; version=0\.0\.4/, 'Prometheus text format');
  for (const [name, type] of Object.entries(CONTRACT)) t.equal(exposition.types.get(name), type, `${name} is a ${type}`);

  t.equal(sum(exposition, 'gateway_requests_total'), 44, 'every request counted once');
  for (const [key, count] of seen) {
    const [backend, method, code] = key.split(' ') as [string, string, string];
    const label = method === 'PROPFIND' ? 'OTHER' : method;
    t.equal(sum(exposition, 'gateway_requests_total', { backend, method: label, code }), count, `${backend} ${label} ${code}: ${count}`);
  }
  t.equal(find(exposition, 'gateway_requests_total', { method: 'PROPFIND' }).length, 0, 'unknown methods are folded into OTHER');

  for (const backend of backends) {
    const sent = [...seen].filter(([key]) => key.startsWith(`${backend.id} `)).reduce((total, [, count]) => total + count, 0);
    t.equal(sum(exposition, 'gateway_request_duration_seconds_count', { backend: backend.id }), sent, `${backend.id}: histogram count ${sent}`);
    const buckets = find(exposition, 'gateway_request_duration_seconds_bucket', { backend: backend.id });
    t.equal(buckets.at(-1)!.labels.le, '+Inf');
    t.equal(buckets.at(-1)!.value, sent, 'the +Inf bucket holds every request');
    t.ok(buckets.every((bucket, i) => i === 0 || bucket.value >= buckets[i - 1]!.value), 'buckets are cumulative');
    t.ok(buckets.some((bucket) => Number(bucket.labels.le) <= 0.001), 'buckets resolve sub-millisecond');
    t.ok(buckets.some((bucket) => Number(bucket.labels.le) >= 30), 'buckets reach past the 30 s headers timeout');
    t.equal(sum(exposition, 'gateway_backend_up', { backend: backend.id }), 1, `${backend.id} up`);
    t.equal(sum(exposition, 'gateway_backend_in_flight', { backend: backend.id }), 0, `${backend.id} has nothing in flight`);
    t.ok(sum(exposition, 'gateway_health_checks_total', { backend: backend.id, result: 'ok' }) >= 1, `${backend.id} probes counted`);
    t.equal(find(exposition, 'gateway_health_checks_total', { backend: backend.id, result: 'fail' }).length, 1, 'the fail series exists at 0');
    t.equal(find(exposition, 'gateway_heartbeat_age_seconds', { backend: backend.id }).length, 1, `${backend.id} heartbeat age`);
  }
  t.equal(sum(exposition, 'gateway_no_backend_total'), 0);
  t.equal(find(exposition, 'gateway_build_info')[0]?.labels.node_version, process.version);

  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
});
