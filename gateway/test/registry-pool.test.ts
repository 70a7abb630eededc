// Self-registration names its pool: POST /registry {url, pool} joins that pool (default `default`); an unknown
// pool is a 400 naming the field, and nothing changes.
import t from 'tap';
import { adminCall, TEST_TOKEN } from './helpers/admin.js';
import { startBackends } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';

t.test('a backend registers into the pool it names and serves that pool’s route', async (t) => {
  const [web, api] = await startBackends(2);
  const gw = await startGateway({
    admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN },
    pools: { default: { backends: [web!.url] }, api: { backends: [] } },
    routes: [{ name: 'api', match: { pathPrefix: '/api' }, pool: 'api', stripPrefix: true }, { name: 'web', match: {}, pool: 'default' }],
  });
  t.teardown(async () => {
    await gw.close();
    await Promise.all([web, api].map((b) => b!.stop()));
  });

  const refused = await adminCall(gw.adminUrl, 'POST', '/registry', { token: TEST_TOKEN, body: { url: api!.url, pool: 'apii' } });
  t.equal(refused.status, 400);
  t.match(refused.body, { error: 'invalid_registration', field: 'pool', message: /"apii" is not a pool of this gateway \(default, api\)/ });
  t.equal(gw.gateway.pools.get('api')!.size, 0, 'nothing joined');

  const registered = await adminCall(gw.adminUrl, 'POST', '/registry', { token: TEST_TOKEN, body: { url: api!.url, pool: 'api' } });
  t.equal(registered.status, 201);
  t.equal(gw.gateway.pools.find(String(registered.body.id))?.pool.name, 'api', 'it is a member of pool api');
  await waitFor(() => gw.gateway.pools.get('api')!.loadBalancer.hasAvailable);
  t.same((await curlTimes(`${gw.url}/api/hello`, 3)).map((r) => r.backend), ['backend-2', 'backend-2', 'backend-2'], '/api goes to it');
  t.same((await curlTimes(`${gw.url}/hello`, 2)).map((r) => r.backend), ['backend-1', 'backend-1'], 'the rest to the default pool');

  const again = await adminCall(gw.adminUrl, 'POST', '/registry', { token: TEST_TOKEN, body: { url: api!.url, pool: 'default' } });
  t.equal(again.status, 409, 'the same URL cannot join a second pool');
});
