// A route's local rate limit through a real gateway, with curl: the burst passes, the rest get 429 with
// Retry-After and the RateLimit-Policy / RateLimit headers as the gateway's JSON error, the backend never sees
// them, and gateway_rate_limited_total{route} counts them; a route without a limit next to it is not limited.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

const run = promisify(execFile);

/** Each request's status and rate-limit headers, `count` times over one kept-alive curl connection. */
async function curlLimits(url: string, count: number, args: string[] = []) {
  const urls = Array.from({ length: count }, () => [url, '-o', '/dev/null']).flat();
  const format = '%{http_code}|%header{retry-after}|%header{ratelimit-policy}|%header{ratelimit}|%header{content-type}\\n';
  const { stdout } = await run('curl', ['-s', '--max-time', '20', ...args, '-w', format, ...urls]);
  return stdout.trim().split('\n').map((line) => {
    const [status, retryAfter, policy, limit, type] = line.split('|');
    return { status: Number(status), retryAfter, policy, limit, type };
  });
}

t.test('over the burst: 429 with Retry-After and RateLimit headers, never reaching the backend', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [
      // 5 at once, 2 per second over time: a window of 3 s holding 5 requests.
      { name: 'limited', match: { pathPrefix: '/limited' }, pool: 'default', rateLimit: { rate: 2, burst: 5 } },
      { name: 'open', match: {}, pool: 'default' },
    ],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });

  const answers = await curlLimits(`${gw.url}/limited/x`, 8);
  t.same(answers.map((a) => a.status), [200, 200, 200, 200, 200, 429, 429, 429], 'the burst of 5 passes, then 429');
  t.equal(backend.arrivals.get('GET /limited/x'), 5, 'the backend saw only the 5 admitted requests');
  for (const refused of answers.slice(5)) {
    t.equal(refused.policy, '"limited";q=5;w=3', 'RateLimit-Policy: the quota and window');
    const [, remaining, reset] = /^"limited";r=(\d+);t=(\d+)$/.exec(refused.limit ?? '') ?? [];
    t.equal(remaining, '0', 'RateLimit: nothing left');
    t.ok(Number(reset) >= 1 && Number(reset) <= 3, `RateLimit t=${reset} is within the 3 s window`);
    t.equal(refused.retryAfter, reset, 'Retry-After says the same wait');
    t.match(refused.type, /^application\/json/);
  }

  const { stdout } = await run('curl', ['-s', `${gw.url}/limited/x`]);
  t.match(JSON.parse(stdout), { error: 'rate_limited', requestId: /.+/ }, 'the body is the gateway’s JSON error');

  const open = await curlLimits(`${gw.url}/other`, 20);
  t.ok(open.every((a) => a.status === 200 && a.policy === ''), 'the route without a limit: all 20 pass, no RateLimit headers');

  t.equal(await metricSum(gw.adminUrl, 'gateway_rate_limited_total', { route: 'limited' }), 4, 'gateway_rate_limited_total{route} counts the 429s');
  t.equal(await metricSum(gw.adminUrl, 'gateway_requests_total', { route: 'limited' }), 5, 'refused requests are not counted as a backend’s');
  t.equal(await metricSum(gw.adminUrl, 'gateway_no_backend_total'), 0, 'nor as no_available_backend');
  const routes = (await (await fetch(`${gw.adminUrl}/routes`)).json()) as { routes: { name: string; rateLimit?: unknown }[] };
  t.match(routes.routes, [{ name: 'limited', rateLimit: { rate: 2, burst: 5 } }, { name: 'open', rateLimit: undefined }], 'GET /routes shows the limit');
});

t.test('key header:NAME gives each client its own bucket', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [{ name: 'api', match: {}, pool: 'default', rateLimit: { rate: 1, burst: 2, key: 'header:X-Client' } }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });

  const statuses = async (args: string[]) => (await curlLimits(`${gw.url}/hello`, 3, args)).map((a) => a.status);
  t.same(await statuses(['-H', 'X-Client: alice']), [200, 200, 429], 'alice: 2, then limited');
  t.same(await statuses(['-H', 'X-Client: bob']), [200, 200, 429], 'bob has his own 2');
  t.same(await statuses([]), [200, 200, 429], 'without the header: counted by client address, apart from both');
  t.equal(backend.arrivals.get('GET /hello'), 6);
});

t.test('the reply-from engine limits the same way', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    proxy: { engine: 'reply-from' },
    routes: [{ name: 'api', match: {}, pool: 'default', rateLimit: { rate: 1, burst: 2 } }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  const answers = await curlLimits(`${gw.url}/hello`, 3);
  t.same(answers.map((a) => a.status), [200, 200, 429]);
  t.equal(answers[2]!.policy, '"api";q=2;w=2');
  t.equal(backend.arrivals.get('GET /hello'), 2);
});
