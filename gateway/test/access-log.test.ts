// The access log: one JSON line per request with what a user greps for (request id, backend, tries, total and
// upstream duration); sampling drops successful lines but never an error.
import t from 'tap';
import { request } from 'undici';
import { spawnBackend } from './helpers/backend-processes.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { waitFor } from './helpers/gateway.js';

const accessLines = (logs: Record<string, unknown>[]) => logs.filter((entry) => entry.component === 'access');

t.test('every request gets a line with its request id, backend, tries and durations', async (t) => {
  const backend = await spawnBackend('backend-1');
  const gw = await spawnGateway({ GATEWAY_BACKENDS: `${backend.url},http://127.0.0.1:1`, GATEWAY_LOG_ACCESS: 'true' });
  t.teardown(async () => {
    gw.child.kill('SIGKILL');
    await backend.kill();
  });
  await waitFor(async () => (await request(`${gw.url}/hello`)).statusCode === 200, 10_000);
  const response = await request(`${gw.url}/hello?x=1`, { headers: { 'x-request-id': 'find-me-7' } });
  t.equal(await response.body.text(), 'World');
  const ours = () => accessLines(gw.logs).find((line) => line.requestId === 'find-me-7');
  await waitFor(() => ours() !== undefined);
  t.match(ours(), {
    method: 'GET',
    path: '/hello?x=1',
    status: 200,
    backend: 'backend-1',
    tries: 1,
    requestId: 'find-me-7',
    client: '127.0.0.1',
    durationMs: Number,
    upstreamMs: Number,
  });
});

t.test('sampling at 0 drops successful lines but keeps errors', async (t) => {
  const backend = await spawnBackend('backend-1');
  const gw = await spawnGateway({ GATEWAY_BACKENDS: backend.url, GATEWAY_LOG_ACCESS: 'true', GATEWAY_LOG_ACCESS_SAMPLE_RATE: '0' });
  t.teardown(async () => {
    gw.child.kill('SIGKILL');
    await backend.kill();
  });
  await waitFor(async () => (await request(`${gw.url}/hello`)).statusCode === 200, 10_000);
  for (let i = 0; i < 20; i++) await (await request(`${gw.url}/hello`)).body.dump();
  await backend.kill();
  await waitFor(async () => (await request(`${gw.url}/hello`, { headers: { 'x-request-id': 'failed-1' } })).statusCode >= 500, 10_000);
  await waitFor(() => accessLines(gw.logs).length > 0);
  const lines = accessLines(gw.logs);
  t.ok(lines.every((line) => (line.status as number) >= 500), `only errors were logged (${lines.length} lines)`);
});
