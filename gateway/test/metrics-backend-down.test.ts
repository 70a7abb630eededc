// A killed backend shows in /metrics: gateway_backend_up goes to 0, the down transition and failed probes are
// counted, and its series stay; with every backend gone, the 503s are counted in gateway_no_backend_total.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scrape } from './helpers/observability.js';
import { sum } from './helpers/prometheus-text.js';

t.test('backend_up flips to 0 for a killed backend, and 503s without a backend are counted', async (t) => {
  const backends = await startBackends(2);
  const gw = await startGateway({ backends: backends.map((b) => b.url) });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  const up = async (backend: string) => sum((await scrape(gw.adminUrl)).exposition, 'gateway_backend_up', { backend });
  await waitFor(async () => (await up('backend-1')) === 1 && (await up('backend-2')) === 1);

  await backends[1]!.stop();
  // Fast test probes (FAST_HEALTH, fall 2): the gauge follows within a second; 5 s is the margin for a busy machine.
  await waitFor(async () => (await up('backend-2')) === 0, 5_000, 50);
  const { exposition } = await scrape(gw.adminUrl);
  t.equal(sum(exposition, 'gateway_backend_up', { backend: 'backend-1' }), 1, 'the other backend stays up');
  // The feed is what the health log shows; a first probe slower than the test timeout adds an early down.
  const changes = (to: string) => gw.gateway.events.since(0).filter((event) => event.backend === 'backend-2' && event.to === to).length;
  t.ok(changes('down') >= 1);
  t.equal(sum(exposition, 'gateway_backend_transitions_total', { backend: 'backend-2', to: 'down' }), changes('down'), 'each down transition counted');
  t.ok(sum(exposition, 'gateway_health_checks_total', { backend: 'backend-2', result: 'fail' }) >= 2, 'the failed probes are counted');
  t.equal(sum(exposition, 'gateway_request_duration_seconds_count', { backend: 'backend-2' }), 0, "the dead backend's series still exist");

  await backends[0]!.stop();
  await waitFor(async () => (await up('backend-1')) === 0, 5_000, 50);
  for (let i = 0; i < 5; i++) {
    const response = await request(`${gw.url}/hello`);
    await response.body.dump();
    t.equal(response.statusCode, 503);
  }
  const after = (await scrape(gw.adminUrl)).exposition;
  t.equal(sum(after, 'gateway_no_backend_total'), 5, 'each 503 counted once');
  t.equal(sum(after, 'gateway_requests_total'), 0, 'no backend answered, so no request is counted against one');

  await backends[1]!.start();
  await waitFor(async () => (await up('backend-2')) === 1, 5_000, 50);
  t.equal(sum((await scrape(gw.adminUrl)).exposition, 'gateway_backend_transitions_total', { backend: 'backend-2', to: 'up' }), changes('up'), 'up at start and up again');
  t.ok(changes('up') >= 2);
});
