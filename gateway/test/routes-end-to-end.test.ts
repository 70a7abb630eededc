// Routes through a real gateway with curl: two services behind one front door, by host and by path (with the
// prefix stripped), a catch-all missing on purpose (404 no_route as the gateway's JSON), per-pool metrics.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

const run = promisify(execFile);

t.test('host and path routes send each service to its own pool', async (t) => {
  const [api1, api2, web1] = await startBackends(3);
  const gw = await startGateway({
    pools: {
      api: { backends: [{ id: 'api-a', url: api1!.url }, { id: 'api-b', url: api2!.url }] },
      web: { backends: [{ id: 'web-a', url: web1!.url }], policy: 'least-outstanding' },
    },
    routes: [
      { name: 'api', match: { hosts: ['api.example.com'] }, pool: 'api' },
      { name: 'web', match: { pathPrefix: '/web' }, pool: 'web', stripPrefix: true },
    ],
  });
  t.teardown(async () => {
    await gw.close();
    await Promise.all([api1, api2, web1].map((b) => b!.stop()));
  });
  await waitFor(() => [...gw.gateway.pools.members()].every((m) => m.state === 'up'));

  const api = await curlTimes(`${gw.url}/hello`, 4, ['-H', 'Host: api.example.com:8080']);
  t.same(api.map((r) => r.status), [200, 200, 200, 200], 'api answered');
  t.same(new Set(api.map((r) => r.backend)), new Set(['backend-1', 'backend-2']), 'round-robin over the api pool only (its backends answer as backend-1, backend-2)');

  const { stdout } = await run('curl', ['-s', `${gw.url}/web/headers?x=1`]);
  const seen = JSON.parse(stdout) as { url: string; headers: Record<string, string> };
  t.equal(seen.url, '/headers?x=1', 'the web backend saw the path without /web');
  t.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${new URL(gw.url).port}`, 'forwarded headers as usual');

  const missing = await run('curl', ['-s', '-w', '\n%{http_code}', '-H', 'Host: www.example.com', `${gw.url}/hello`]);
  const [body, status] = missing.stdout.split('\n');
  t.equal(status, '404', 'no route: 404');
  t.match(JSON.parse(body!), { error: 'no_route' }, 'as the gateway’s JSON error');

  t.equal(await metricSum(gw.adminUrl, 'gateway_requests_total', { pool: 'api', route: 'api' }), 4, 'requests counted with pool and route labels');
  t.equal(await metricSum(gw.adminUrl, 'gateway_requests_total', { pool: 'web', route: 'web', backend: 'web-a' }), 1);

  const routes = await (await fetch(`${gw.adminUrl}/routes`)).json() as { routes: { name: string; pool?: string; stripPrefix: boolean }[] };
  t.same(routes.routes.map((r) => [r.name, r.pool, r.stripPrefix]), [['api', 'api', false], ['web', 'web', true]], 'GET /routes lists them');
  const pool = await (await fetch(`${gw.adminUrl}/pool`)).json() as { pools: { name: string; available: number }[]; backends: { id: string; pool: string }[] };
  t.same(pool.pools.map((p) => [p.name, p.available]), [['api', 2], ['web', 1]], 'GET /pool summarises each pool');
  t.same(pool.backends.map((b) => [b.id, b.pool]), [['api-a', 'api'], ['api-b', 'api'], ['web-a', 'web']]);
});
