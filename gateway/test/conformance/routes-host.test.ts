// Conformance: routing by host. api.example.com (any case, any port) goes to pool api, any subdomain of
// web.example.com to pool web, and another host (web.example.com itself included) gets 404 no_route as the
// gateway's JSON, on every target.
import t from 'tap';
import { spawnBackend } from '../helpers/backend-processes.js';
import { startRoutedTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequest } from '../helpers/timed-request.js';

for (const name of TARGETS) {
  t.test(`${name}: each host reaches its own pool; an unknown host gets no_route`, async (t) => {
    const [api, web] = await Promise.all([spawnBackend('api-1'), spawnBackend('web-1')]);
    const target = await startRoutedTarget(
      name,
      {
        pools: { api: { backends: [{ id: 'api-1', url: api.url }] }, web: { backends: [{ id: 'web-1', url: web.url }] } },
        routes: [
          { name: 'api', match: { hosts: ['api.example.com'] }, pool: 'api' },
          { name: 'web', match: { hosts: ['*.web.example.com'] }, pool: 'web' },
        ],
      },
      [{ path: '/health', headers: { host: 'api.example.com' } }, { path: '/health', headers: { host: 'www.web.example.com' } }],
    );
    t.teardown(async () => {
      await target.stop();
      await Promise.all([api.kill(), web.kill()]);
    });

    const backendFor = async (host: string) => (await timedRequest(`${target.url}/hello`, { headers: { host } })).backend;
    t.equal(await backendFor('api.example.com'), 'api-1', 'exact host');
    t.equal(await backendFor('API.Example.COM:8080'), 'api-1', 'case and port do not matter');
    t.equal(await backendFor('www.web.example.com'), 'web-1', '*.web.example.com: one label');
    t.equal(await backendFor('a.b.web.example.com'), 'web-1', '*.web.example.com: several labels');

    for (const host of ['web.example.com', 'other.example.com']) {
      const missing = await timedRequest(`${target.url}/hello`, { headers: { host } });
      t.equal(missing.status, 404, `${host}: no route`);
      t.match(JSON.parse(missing.body), { error: 'no_route' }, `${host}: the gateway's JSON body`);
    }
  });
}
