// The bench's gateway-routes target measures what it says: the gateway accepts its table of N routes, the
// bench's GET /hello walks past every other route to the catch-all, and the other routes are real ones that
// match their own requests. And --routes on the bench's command line.
import t from 'tap';
import { request } from 'undici';
import { startCountingServer } from '../../gateway/test/helpers/counting-server.js';
import { spawnGateway } from '../../gateway/test/helpers/gateway-process.js';
import { metricSum } from '../../gateway/test/helpers/metrics-sum.js';
import { CATCH_ALL_ROUTE, gatewayEnv, routeTableEnv } from '../gateway-env.js';
import { parseOptions, UsageError } from '../options.js';

/** GETs `path` with `host` until the gateway answers 200 (its backend starts unknown until probed); bounded. */
async function getOk(url: string, path: string, host: string): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await request(`${url}${path}`, { headers: { host } });
    await response.body.dump();
    status = response.statusCode;
  }
  return status;
}

t.test('a 50-route table: GET /hello takes the catch-all, the other routes match their own requests', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('World'));
  t.teardown(() => backend.close());
  const gateway = await spawnGateway({ ...gatewayEnv([backend.url]), ...routeTableEnv(50) });
  t.teardown(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  });

  const { routes } = (await (await fetch(`${gateway.adminUrl}/routes`)).json()) as { routes: { name: string; pool: string }[] };
  t.equal(routes.length, 50, '50 routes');
  t.equal(routes.at(-1)!.name, CATCH_ALL_ROUTE, 'the catch-all last');
  t.ok(routes.every((route) => route.pool === 'default'), 'all to the one pool');

  t.equal(await getOk(gateway.url, '/hello', '127.0.0.1'), 200, 'the bench\'s request is served');
  // One request for each kind of route: host, wildcard host with path prefix, path prefix.
  const own: Record<string, [path: string, host: string]> = { 'svc-1': ['/hello', 'svc-1.example.com'], 'svc-2': ['/svc-2/hello', 'a.svc-2.example.com'], 'svc-3': ['/svc-3/hello', '127.0.0.1'] };
  for (const [route, [path, host]] of Object.entries(own)) t.equal(await getOk(gateway.url, path, host), 200, `${route}'s request is served`);

  const served = async (route: string) => metricSum(gateway.adminUrl, 'gateway_requests_total', { route });
  t.ok((await served(CATCH_ALL_ROUTE)) >= 1, 'GET /hello on 127.0.0.1 went through the catch-all');
  for (const route of Object.keys(own)) t.equal(await served(route), 1, `${route} matched its own request`);
});

t.test('--routes N sets the table size and adds gateway-routes right after gateway', async (t) => {
  const parse = (...argv: string[]) => parseOptions(argv, 'out', false)!;
  t.same(parse('--routes', '20').targets, ['direct', 'gateway', 'gateway-routes', 'nginx', 'haproxy']);
  t.equal(parse('--routes', '20').routes, 20);
  t.equal(parse('--targets', 'gateway-routes,gateway').routes, 50, 'default 50');
  t.same(parse('--targets', 'gateway-routes,gateway', '--routes', '5').targets, ['gateway-routes', 'gateway'], 'an explicit order is kept');
  t.throws(() => parse('--routes', '0'), new UsageError('--routes: expected an integer from 1 to 1000, got "0"'));
});
