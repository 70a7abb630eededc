// The rate-limit keys in the config: each invalid value is refused with one line naming the key (env or file),
// the policy rate and burst become (a table), and a reload rebuilds a route's limiter with the new numbers.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { ratePolicy } from '../src/edge/rate-limit-policy.js';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';

function errorOf(config: unknown, env: Record<string, string> = {}): string {
  const file = join(scratchDir('gateway-config'), 'gateway.config.json');
  writeFileSync(file, JSON.stringify(config));
  try {
    loadConfig({ file, env });
    return 'valid';
  } catch (error) {
    return (error as Error).message;
  }
}

const route = (rateLimit: unknown) => ({ backends: ['http://127.0.0.1:3001'], routes: [{ name: 'api', pool: 'default', rateLimit }] });

t.test('invalid rate-limit settings name their key', async (t) => {
  const cases: [string, unknown, Record<string, string>, string][] = [
    ['rate missing', route({ burst: 5 }), {}, 'routes.0.rateLimit.rate'],
    ['rate of zero', route({ rate: 0 }), {}, 'routes.0.rateLimit.rate: 0 is not a number > 0'],
    ['burst below rate', route({ rate: 10, burst: 5 }), {}, 'routes.0.rateLimit.burst: 5 is below rateLimit.rate (10)'],
    ['unknown key kind', route({ rate: 1, key: 'cookie:session' }), {}, 'routes.0.rateLimit.key: "cookie:session" is not "client-ip", "header:NAME", "api-key" or "claim:NAME"'],
    ['unknown store', route({ rate: 1, store: 'memcached' }), {}, 'routes.0.rateLimit.store: "memcached" is not "local" or "redis"'],
    ['unknown redisDown', route({ rate: 1, redisDown: 'failSoft' }), {}, 'routes.0.rateLimit.redisDown: "failSoft" is not "failOpen" or "failClosed"'],
    ['misspelt key', route({ rate: 1, brust: 2 }), {}, 'routes.0.rateLimit.brust: unknown key'],
    ['trusted proxy that is no address', {}, { GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8,proxy.local' }, 'GATEWAY_TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR block'],
    ['CIDR prefix too long', { trustedProxies: ['10.0.0.0/33'] }, {}, 'trustedProxies.0: "10.0.0.0/33" is not an IP address or CIDR block'],
    ['redis URL of another scheme', {}, { GATEWAY_REDIS_URL: 'http://127.0.0.1:6379' }, 'GATEWAY_REDIS_URL: "http://127.0.0.1:6379" is not a redis:// or rediss:// URL'],
    ['redis timeout of zero', {}, { GATEWAY_REDIS_TIMEOUT_MS: '0' }, 'GATEWAY_REDIS_TIMEOUT_MS: "0" is not an integer >= 1'],
  ];
  for (const [what, config, env, expected] of cases) t.match(errorOf(config, env), expected, what);
  t.equal(errorOf({ ...route({ rate: 2.5, key: 'header:X-Api-Client', store: 'redis' }), trustedProxies: ['10.0.0.0/8', '::1'] }), 'valid', 'a valid one passes');
});

t.test('rate and burst as quota per window', async (t) => {
  // [rate, burst, quota, window seconds]
  const table: [number, number | undefined, number, number][] = [
    [10, undefined, 10, 1],
    [10, 10, 10, 1],
    [10, 20, 20, 2],
    [10, 25, 25, 3],
    [2, 5, 5, 3],
    [0.5, undefined, 1, 2],
    [2.5, undefined, 3, 2],
  ];
  for (const [rate, burst, quota, windowSeconds] of table) {
    t.same(ratePolicy({ rate, burst }), { quota, windowSeconds }, `rate ${rate}, burst ${burst ?? 'unset'}: ${quota} per ${windowSeconds} s`);
  }
});

t.test('a reload rebuilds the limiter with the new numbers', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [{ name: 'api', match: {}, pool: 'default', rateLimit: { rate: 1, burst: 2 } }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  const statuses = async (count: number) => {
    const answers: number[] = [];
    for (let i = 0; i < count; i++) answers.push((await fetch(`${gw.url}/hello`)).status);
    return answers;
  };
  t.same(await statuses(3), [200, 200, 429], 'burst 2');
  const saved = JSON.parse(readFileSync(gw.configFile, 'utf8')) as { routes: { rateLimit?: { burst: number } }[] };
  saved.routes[0]!.rateLimit!.burst = 4;
  writeFileSync(gw.configFile, JSON.stringify(saved));
  t.match(gw.gateway.reload('test'), { ok: true });
  t.same(await statuses(5), [200, 200, 200, 200, 429], 'after the reload: burst 4, counted afresh');
  delete saved.routes[0]!.rateLimit;
  writeFileSync(gw.configFile, JSON.stringify(saved));
  t.match(gw.gateway.reload('test'), { ok: true });
  t.same(await statuses(6), [200, 200, 200, 200, 200, 200], 'rate limit removed: not limited');
});
