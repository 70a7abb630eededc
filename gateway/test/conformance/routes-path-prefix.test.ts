// Conformance: routing by path prefix, whole segments only. /api and everything under /api/ go to pool api without
// the prefix (stripPrefix: the backend sees /headers?x=1, and / for /api itself, query kept); /web/... goes to pool
// web as sent; /apiary belongs to neither and gets 404 no_route.
import t from 'tap';
import { spawnBackend } from '../helpers/backend-processes.js';
import { startRoutedTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequest } from '../helpers/timed-request.js';

for (const name of TARGETS) {
  t.test(`${name}: a path prefix picks the pool; stripPrefix hides it from the backend`, async (t) => {
    const [api, web] = await Promise.all([spawnBackend('api-1'), spawnBackend('web-1')]);
    const target = await startRoutedTarget(
      name,
      {
        pools: { api: { backends: [{ id: 'api-1', url: api.url }] }, web: { backends: [{ id: 'web-1', url: web.url }] } },
        routes: [
          { name: 'api', match: { pathPrefix: '/api' }, pool: 'api', stripPrefix: true },
          { name: 'web', match: { pathPrefix: '/web/' }, pool: 'web' },
        ],
      },
      [{ path: '/api/health' }, { path: '/web/health' }],
    );
    t.teardown(async () => {
      await target.stop();
      await Promise.all([api.kill(), web.kill()]);
    });

    // /headers echoes the url it got; any other path is the backend's own 404, whose message names the url.
    const seen = async (path: string) => {
      const response = await timedRequest(`${target.url}${path}`);
      const body = JSON.parse(response.body) as { url?: string; message?: string };
      return { backend: response.backend, url: body.url ?? /^Route GET:(\S*) not found$/.exec(body.message ?? '')?.[1] };
    };
    t.same(await seen('/api/headers?x=1'), { backend: 'api-1', url: '/headers?x=1' }, '/api/headers?x=1 arrives as /headers?x=1');
    t.same(await seen('/api?x=1'), { backend: 'api-1', url: '/?x=1' }, '/api itself is under the prefix and arrives as /');
    t.same(await seen('/api//hello'), { backend: 'api-1', url: '//hello' }, 'only the prefix goes, as the gateway strips it');
    t.same(await seen('/web/headers'), { backend: 'web-1', url: '/web/headers' }, 'without stripPrefix the path stays');
    const post = await timedRequest(`${target.url}/api/hello`, { method: 'POST', body: 'Hello', headers: { 'content-type': 'text/plain' } });
    t.same([post.status, post.body, post.backend], [200, 'World', 'api-1'], 'a POST body goes along');

    for (const path of ['/apiary', '/webbing/headers', '/']) {
      const missing = await timedRequest(`${target.url}${path}`);
      t.same([missing.status, missing.backend], [404, undefined], `${path}: no route (prefixes match whole segments)`);
      t.match(JSON.parse(missing.body), { error: 'no_route' }, `${path}: the gateway's JSON body`);
    }
  });
}
