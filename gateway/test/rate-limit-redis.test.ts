// Rate limits shared through a real redis-server: two gateways enforce one limit together; with Redis killed,
// failOpen keeps serving under each gateway's local fallback limit and logs the outage once, failClosed answers
// 503 rate_limit_unavailable, both within redis.timeoutMs; with Redis back, shared limiting resumes by itself.
import pino from 'pino';
import { capturedLogger } from './helpers/captured-logger.js';
import t, { type Test } from 'tap';
import { startCountingServer, type CountingServer } from './helpers/counting-server.js';
import { startGateway, waitFor, type TestGateway } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';
import { startRedis, type TestRedis } from './helpers/redis.js';

const TIMEOUT_MS = 200;

async function redisGateway(backend: CountingServer, redis: TestRedis, rateLimit: Record<string, unknown>, logger = pino({ level: 'silent' })): Promise<TestGateway> {
  return startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    redis: { url: redis.url, timeoutMs: TIMEOUT_MS, keyPrefix: `test${process.pid}` },
    routes: [{ name: 'api', match: {}, pool: 'default', rateLimit: { store: 'redis', ...rateLimit } }],
  }, logger);
}

async function statuses(gw: TestGateway, count: number): Promise<number[]> {
  const answers: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${gw.url}/hello`);
    await response.arrayBuffer();
    answers.push(response.status);
  }
  return answers;
}

async function setup(t: Test, rateLimit: Record<string, unknown>) {
  const redis = await startRedis();
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const logs = [capturedLogger(), capturedLogger()];
  const gateways = [await redisGateway(backend, redis, rateLimit, logs[0]!.logger), await redisGateway(backend, redis, rateLimit, logs[1]!.logger)];
  t.teardown(async () => {
    for (const gw of gateways) await gw.close();
    await backend.close();
    await redis.stop();
  });
  // ioredis connects in the background and queues nothing: a request before it is connected would meet an outage.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { redis, backend, logs, gateways };
}

t.test('two gateways on one Redis enforce one limit together (±5 %)', async (t) => {
  // 100 per 10 s window: 300 requests sent at once through both gateways fit in one window.
  const { gateways, backend } = await setup(t, { rate: 10, burst: 100 });
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: 10 }, (_, worker) => statuses(gateways[worker % 2]!, 30)));
  const elapsed = Date.now() - started;
  const passed = results.flat().filter((status) => status === 200).length;
  const perGateway = results.map((list) => list.filter((status) => status === 200).length);
  t.comment(`admitted ${passed} of 300 in ${elapsed} ms (limit 100 per 10 s, shared); by worker ${perGateway.join(' ')}`);
  t.ok(elapsed < 10_000, 'all sent within one window');
  t.ok(Math.abs(passed - 100) <= 5, `${passed} admitted, within 5 % of the one shared limit (a local limit would admit 200)`);
  t.equal(results.flat().filter((status) => status === 429).length, 300 - passed, 'the rest: 429');
  t.equal(backend.arrivals.get('GET /hello'), passed, 'the backends saw only the admitted ones');
  const limited = (await metricSum(gateways[0]!.adminUrl, 'gateway_rate_limited_total', { route: 'api' })) + (await metricSum(gateways[1]!.adminUrl, 'gateway_rate_limited_total', { route: 'api' }));
  t.equal(limited, 300 - passed, 'gateway_rate_limited_total over both gateways');
});

t.test('failOpen: Redis killed → each gateway limits alone, logged once; Redis back → shared again', async (t) => {
  // 5 per 5 s window.
  const { redis, gateways, logs } = await setup(t, { rate: 1, burst: 5, redisDown: 'failOpen' });
  const [a, b] = gateways as [TestGateway, TestGateway];
  t.same([...(await statuses(a, 3)), ...(await statuses(b, 3))], [200, 200, 200, 200, 200, 429], 'shared: 3 through one gateway and 2 through the other, then 429');

  await redis.stop();
  const started = performance.now();
  const first = await fetch(`${a.url}/hello`);
  const firstMs = performance.now() - started;
  t.equal(first.status, 200, 'Redis down: the first request is served (counted locally)');
  t.ok(firstMs < TIMEOUT_MS + 300, `and answered in ${Math.round(firstMs)} ms, within the Redis timeout`);
  t.same(await statuses(a, 6), [200, 200, 200, 200, 429, 429], 'gateway A: its local fallback limit of 5 in the window');
  t.same(await statuses(b, 6), [200, 200, 200, 200, 200, 429], 'gateway B: its own local 5');
  t.equal(logs[0]!.count('redis unreachable'), 1, 'the outage is logged once, not per request');
  t.equal(await metricSum(a.adminUrl, 'gateway_rate_limit_redis_down_total', { route: 'api', behaviour: 'failOpen' }), 7, 'and metered per request');

  await redis.start();
  await waitFor(() => logs.every((log) => log.count('redis reachable again') === 1), 10_000);
  t.pass('each gateway logs once that Redis is back');
  t.same([...(await statuses(a, 3)), ...(await statuses(b, 3))], [200, 200, 200, 200, 200, 429], 'shared limiting resumed (a fresh Redis: one shared 5)');
  t.equal(logs[0]!.count('redis unreachable'), 1, 'no new outage line');
});

t.test('failClosed: Redis killed → 503 rate_limit_unavailable at once; Redis back → served again', async (t) => {
  const { redis, gateways, backend } = await setup(t, { rate: 1, burst: 5, redisDown: 'failClosed' });
  const [gw] = gateways as [TestGateway];
  t.same(await statuses(gw, 2), [200, 200]);
  await redis.stop();
  const started = performance.now();
  const refused = await fetch(`${gw.url}/hello`);
  const ms = performance.now() - started;
  t.equal(refused.status, 503, 'Redis down: 503');
  t.match(await refused.json(), { error: 'rate_limit_unavailable' }, 'as the gateway’s JSON error');
  t.equal(refused.headers.get('retry-after'), '1');
  t.ok(ms < TIMEOUT_MS + 300, `answered in ${Math.round(ms)} ms`);
  t.same(await statuses(gw, 3), [503, 503, 503]);
  t.equal(backend.arrivals.get('GET /hello'), 2, 'no refused request reached the backend');
  t.equal(await metricSum(gw.adminUrl, 'gateway_rate_limit_redis_down_total', { route: 'api', behaviour: 'failClosed' }), 4);
  t.equal(await metricSum(gw.adminUrl, 'gateway_no_backend_total'), 0, 'not counted as no backend');

  await redis.start();
  await waitFor(async () => (await statuses(gw, 1))[0] === 200, 10_000);
  t.pass('served again once Redis is back');
});

t.test('a frozen Redis (SIGSTOP): failOpen within redis.timeoutMs, logged once; thawed → logged back', async (t) => {
  const { redis, gateways, logs } = await setup(t, { rate: 1, burst: 5, redisDown: 'failOpen' });
  const [gw] = gateways as [TestGateway];
  t.same(await statuses(gw, 1), [200]);
  redis.freeze();
  t.teardown(() => redis.thaw());
  const started = performance.now();
  const first = await fetch(`${gw.url}/hello`);
  const ms = performance.now() - started;
  t.equal(first.status, 200, 'served by the local fallback');
  t.ok(ms >= TIMEOUT_MS - 20 && ms < TIMEOUT_MS + 300, `after the Redis timeout: ${Math.round(ms)} ms`);
  t.same(await statuses(gw, 5), [200, 200, 200, 200, 429], 'the local fallback limit of 5');
  t.equal(logs[0]!.count('redis unreachable'), 1, 'logged once');
  redis.thaw();
  await waitFor(() => logs[0]!.count('redis reachable again') === 1, 10_000);
  t.pass('the recovery PING notices Redis answering again on the same connection');
  // The commands that timed out were already on the wire: the thawed Redis counts them too (1 + 6 > 5).
  const back = performance.now();
  t.same(await statuses(gw, 1), [429], 'counted in Redis again, which also counted the 6 that timed out');
  t.ok(performance.now() - back < TIMEOUT_MS, 'answered by Redis, without waiting for a timeout');
});
