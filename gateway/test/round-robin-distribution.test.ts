// Round-robin spreads requests evenly over healthy backends, and a backend going down does not skew the rest.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';

async function countByBackend(url: string, requests: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < requests; i++) {
    const response = await request(`${url}/hello`);
    t.equal(response.statusCode, 200);
    await response.body.text();
    const id = response.headers['x-backend-id'] as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

// A probe timing out on a loaded machine must not take a healthy backend out in the middle of a count.
const PATIENT_HEALTH = { fall: 100 };

t.test('300 requests over 3 backends: 100 ± 1 each, in strict rotation', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: backends.map((b) => b.url), healthCheck: PATIENT_HEALTH });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));

  const order: string[] = [];
  for (let i = 0; i < 6; i++) {
    const response = await request(`${gw.url}/hello`);
    await response.body.text();
    order.push(response.headers['x-backend-id'] as string);
  }
  t.same(order.slice(3), order.slice(0, 3), 'the rotation repeats');
  t.equal(new Set(order.slice(0, 3)).size, 3, 'each backend once per turn');

  const counts = await countByBackend(gw.url, 300);
  t.equal(counts.size, 3);
  for (const [id, count] of counts) t.ok(Math.abs(count - 100) <= 1, `${id} got ${count}`);
});

t.test('with one backend down the other two split evenly (no double hits on its neighbour)', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: backends.map((b) => b.url), healthCheck: { ...PATIENT_HEALTH, fall: 1 } });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));
  await backends[1]!.stop();
  await waitFor(() => gw.gateway.loadBalancer.get('backend-2')?.state === 'down');

  const counts = await countByBackend(gw.url, 200);
  t.same([...counts.keys()].sort(), ['backend-1', 'backend-3']);
  for (const [id, count] of counts) t.ok(Math.abs(count - 100) <= 1, `${id} got ${count}`);
});
