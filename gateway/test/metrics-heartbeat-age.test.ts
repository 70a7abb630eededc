// gateway_heartbeat_age_seconds follows a self-registered backend's heartbeats (PUT /registry/:id), not only
// health probes: with probes off, the age falls back near 0 after each heartbeat and grows while none comes.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scrape } from './helpers/observability.js';
import { sum } from './helpers/prometheus-text.js';

const TOKEN = 'heartbeat-test-token-0123456789';

t.test('the heartbeat age resets on each registry heartbeat', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ healthCheck: { enabled: false }, admin: { host: '127.0.0.1', port: 0, token: TOKEN } });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  const authorization = `Bearer ${TOKEN}`;
  const registered = await request(`${gw.adminUrl}/registry`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ url: backend!.url }) });
  t.equal(registered.statusCode, 201);
  const { id } = (await registered.body.json()) as { id: string };

  const age = async () => sum((await scrape(gw.adminUrl)).exposition, 'gateway_heartbeat_age_seconds', { backend: id });
  t.ok((await age()) < 1, 'just registered: heard from now');
  await waitFor(async () => (await age()) >= 0.5, 5_000, 50);
  const heartbeat = await request(`${gw.adminUrl}/registry/${id}`, { method: 'PUT', headers: { authorization } });
  await heartbeat.body.dump();
  t.equal(heartbeat.statusCode, 200);
  t.ok((await age()) < 0.5, 'a heartbeat resets the age');
});
