// Conformance: routes are tried in order and the first whose matchers all hold wins, also where a later route is
// more specific (an exact path after a prefix: nginx's own location matching would pick the exact one). Methods and
// a header regex narrow a route; a request no route takes gets 404 no_route. On every target.
import t from 'tap';
import { spawnBackend } from '../helpers/backend-processes.js';
import { startRoutedTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequest, type TimedRequestOptions } from '../helpers/timed-request.js';

const ROUTES = [
  { name: 'reads', match: { pathPrefix: '/shop', methods: ['GET', 'HEAD'] }, pool: 'reads' },
  { name: 'beta', match: { pathPrefix: '/shop', headers: { 'x-beta': { regex: '^(on|yes)$' } } }, pool: 'beta' },
  { name: 'checkout', match: { path: '/shop/checkout' }, pool: 'checkout' },
];

for (const name of TARGETS) {
  t.test(`${name}: the first route that matches wins`, async (t) => {
    const backends = await Promise.all(['reads-1', 'beta-1', 'checkout-1'].map(spawnBackend));
    const pools = Object.fromEntries(backends.map((backend) => [backend.id.replace(/-1$/, ''), { backends: [{ id: backend.id, url: backend.url }] }]));
    const target = await startRoutedTarget(name, { pools, routes: ROUTES }, [
      { path: '/shop' },
      { path: '/shop', method: 'POST', headers: { 'x-beta': 'on' } },
      { path: '/shop/checkout', method: 'POST' },
    ]);
    t.teardown(async () => {
      await target.stop();
      await Promise.all(backends.map((backend) => backend.kill()));
    });

    const backendFor = async (path: string, options: TimedRequestOptions = {}) => (await timedRequest(`${target.url}${path}`, options)).backend;
    const post = (headers: Record<string, string> = {}): TimedRequestOptions => ({ method: 'POST', body: 'Hello', headers: { 'content-type': 'text/plain', ...headers } });
    t.equal(await backendFor('/shop/checkout'), 'reads-1', 'GET: route reads comes first, the exact path after it does not win');
    t.equal(await backendFor('/shop/checkout', post({ 'x-beta': 'yes' })), 'beta-1', 'POST with x-beta: yes: route beta, before checkout');
    t.equal(await backendFor('/shop/checkout?step=2', post()), 'checkout-1', 'POST without x-beta: the exact path (the query is not part of it)');
    t.equal(await backendFor('/shop/cart', post({ 'x-beta': 'on' })), 'beta-1', 'the header regex holds');

    for (const headers of [{}, { 'x-beta': 'nope' }, { 'x-beta': 'on, yes' }] as Record<string, string>[]) {
      const missing = await timedRequest(`${target.url}/shop/cart`, post(headers));
      t.same([missing.status, missing.backend], [404, undefined], `POST /shop/cart with ${JSON.stringify(headers)}: no route`);
    }
  });
}
