// Blue-green through the admin API: PUT /routes/:name/split switches a split at once, under 50 concurrent
// clients with no failed request, audited as route-split with the actor and the weights before and after.
import autocannon from 'autocannon';
import t from 'tap';
import { adminCall, readAudit, TEST_TOKEN } from './helpers/admin.js';
import { startBackends } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';

t.test('a blue-green switch under load: 0 failed requests, then every request on green', async (t) => {
  const [blue, green] = await startBackends(2);
  const gw = await startGateway({
    admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN },
    pools: { blue: { backends: [{ id: 'blue-1', url: blue!.url }] }, green: { backends: [{ id: 'green-1', url: green!.url }] } },
    routes: [{ name: 'app', match: {}, split: [{ pool: 'blue', weight: 100 }, { pool: 'green', weight: 0 }] }],
  });
  t.teardown(async () => {
    await gw.close();
    await Promise.all([blue, green].map((b) => b!.stop()));
  });
  await waitFor(() => [...gw.gateway.pools.members()].every((m) => m.state === 'up'));
  t.same(new Set((await curlTimes(`${gw.url}/hello`, 5)).map((r) => r.backend)), new Set(['backend-1']), 'all on blue (backend-1) first');

  const load = autocannon({ url: `${gw.url}/hello`, connections: 50, duration: 3 });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const switched = await adminCall(gw.adminUrl, 'PUT', '/routes/app/split', { token: TEST_TOKEN, body: { split: [{ pool: 'blue', weight: 0 }, { pool: 'green', weight: 100 }] } });
  t.equal(switched.status, 200, 'switched');
  t.same(switched.body.split, [{ pool: 'blue', weight: 0 }, { pool: 'green', weight: 100 }]);
  const result = await load;
  t.equal(result.errors + result.timeouts + result.non2xx, 0, `${result.requests.total} requests under the switch, none failed`);
  t.same(new Set((await curlTimes(`${gw.url}/hello`, 5)).map((r) => r.backend)), new Set(['backend-2']), 'all on green (backend-2) after');

  const [record] = (await readAudit(gw.gateway.config.audit.file)).filter((entry) => entry.event === 'route-split');
  t.match(record, { route: 'app', actor: '127.0.0.1', from: 'blue=100 green=0', to: 'blue=0 green=100' }, 'audited with actor and weights');
});

t.test('bad switches are refused with a JSON error and change nothing', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({
    admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN },
    pools: { blue: { backends: [backend!.url] }, green: { backends: [{ id: 'green-1', url: 'http://127.0.0.1:9' }] } },
    routes: [{ name: 'app', match: { pathPrefix: '/app' }, split: [{ pool: 'blue', weight: 90 }, { pool: 'green', weight: 10 }] }, { name: 'other', match: {}, pool: 'blue' }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  const cases: [string, unknown, number, string][] = [
    ['/routes/app/split', { split: [{ pool: 'red', weight: 1 }] }, 400, 'invalid_split'],
    ['/routes/app/split', { split: [{ pool: 'blue', weight: 0 }, { pool: 'green', weight: 0 }] }, 400, 'invalid_split'],
    ['/routes/app/split', { split: [{ pool: 'blue', weight: -1 }] }, 400, 'invalid_split'],
    ['/routes/app/split', { weights: {} }, 400, 'invalid_split'],
    ['/routes/nope/split', { split: [{ pool: 'blue', weight: 1 }] }, 404, 'no_such_route'],
    ['/routes/other/split', { split: [{ pool: 'blue', weight: 1 }] }, 409, 'not_a_split'],
  ];
  for (const [path, body, status, error] of cases) {
    const response = await adminCall(gw.adminUrl, 'PUT', path, { token: TEST_TOKEN, body });
    t.equal(response.status, status, `${path} ${JSON.stringify(body)} → ${status}`);
    t.equal(response.body.error, error);
  }
  t.equal((await adminCall(gw.adminUrl, 'PUT', '/routes/app/split', { body: { split: [{ pool: 'blue', weight: 1 }] } })).status, 401, 'no token: 401');
  const routes = await adminCall(gw.adminUrl, 'GET', '/routes');
  t.same((routes.body.routes as { split: unknown }[])[0]!.split, [{ pool: 'blue', weight: 90 }, { pool: 'green', weight: 10 }], 'the split is as configured');
});
