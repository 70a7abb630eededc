// metrics.enabled: false (the switch for measuring what metrics cost) keeps the gateway working: traffic flows,
// /metrics says it is off instead of serving an empty page, and the dashboard still shows the pool.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';

t.test('with metrics off, requests still pass and /metrics answers 404 saying why', async (t) => {
  const backends = await startBackends(2);
  const gw = await startGateway({ backends: backends.map((b) => b.url), metrics: { enabled: false } });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));
  for (let i = 0; i < 4; i++) {
    const response = await request(`${gw.url}/hello`);
    t.equal(await response.body.text(), 'World');
  }
  const metrics = await request(`${gw.adminUrl}/metrics`);
  t.equal(metrics.statusCode, 404);
  t.match(await metrics.body.json(), { error: 'metrics_disabled' });

  const snapshot = await request(`${gw.adminUrl}/dashboard.json`);
  const body = (await snapshot.body.json()) as { metricsEnabled: boolean; backends: Array<{ id: string; state: string }> };
  t.equal(body.metricsEnabled, false);
  t.same(body.backends.map((b) => [b.id, b.state]), [['backend-1', 'up'], ['backend-2', 'up']], 'the pool is still shown');
});
