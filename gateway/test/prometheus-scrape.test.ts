// A real Prometheus (Debian's 2.42) scrapes the gateway's /metrics every second: what it stores matches the
// traffic sent, per backend, and gateway_backend_up drops to 0 in Prometheus for a backend that was killed.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { startPrometheus } from './helpers/prometheus.js';

t.test('Prometheus stores the request counts sent and sees a killed backend go down', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: backends.map((b) => b.url) });
  const prometheus = await startPrometheus([new URL(gw.adminUrl).host]);
  t.teardown(async () => {
    await prometheus.stop();
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));

  const sent = new Map<string, number>();
  for (let i = 0; i < 60; i++) {
    const response = await request(`${gw.url}/hello`);
    await response.body.dump();
    const id = response.headers['x-backend-id'] as string;
    sent.set(id, (sent.get(id) ?? 0) + 1);
  }
  t.equal(sent.size, 3, 'every backend got traffic');

  // Scrapes come every second; 20 s covers start-up and a loaded machine.
  const stored = async () => {
    const result = await prometheus.query('sum by (backend) (gateway_requests_total{job="gateway"})');
    return new Map(result.map((series) => [series.metric.backend!, series.value]));
  };
  await waitFor(async () => {
    const byBackend = await stored();
    return [...sent].every(([id, count]) => byBackend.get(id) === count);
  }, 20_000, 250).catch(async () => t.fail(`Prometheus stored ${JSON.stringify([...(await stored())])}, sent ${JSON.stringify([...sent])}`));
  const byBackend = await stored();
  for (const [id, count] of sent) t.equal(byBackend.get(id), count, `${id}: Prometheus stored ${count} requests`);

  const up = async (backend: string) => (await prometheus.query(`gateway_backend_up{backend="${backend}"}`))[0]?.value;
  t.equal(await up('backend-2'), 1, 'backend-2 is up in Prometheus');
  await backends[1]!.stop();
  await waitFor(async () => (await up('backend-2')) === 0, 20_000, 250);
  t.pass('gateway_backend_up{backend="backend-2"} is 0 in Prometheus after the kill');
  t.equal(await up('backend-1'), 1, 'the others stay up');
  const transitions = await prometheus.query('gateway_backend_transitions_total{backend="backend-2",to="down"}');
  const changes = gw.gateway.events.since(0).filter((event) => event.backend === 'backend-2' && event.to === 'down');
  t.ok(changes.length >= 1, 'the gateway saw backend-2 go down');
  t.equal(transitions[0]?.value, changes.length, 'Prometheus stored as many down transitions as the gateway made');
});
