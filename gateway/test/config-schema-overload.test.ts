// The overload keys in the config: each invalid value is refused with one line naming the key (file or GATEWAY_*
// variable), `gateway check` exits 2 on one, the caps are off by default, and a pool's `concurrency` keys override
// the top-level ones key by key, as `retry` does.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { resolvePools } from '../src/config-pools.js';
import { loadConfig } from '../src/config.js';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

function fileOf(config: unknown): string {
  const file = join(scratchDir('gateway-config'), 'gateway.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function errorOf(config: unknown, env: Record<string, string> = {}): string {
  try {
    loadConfig({ file: fileOf(config), env });
    return 'valid';
  } catch (error) {
    return (error as Error).message;
  }
}

const backends = ['http://127.0.0.1:3001'];

t.test('invalid overload settings name their key', async (t) => {
  const cases: [string, unknown, Record<string, string>, string][] = [
    ['cap of zero', { backends, concurrency: { maxPerBackend: 0 } }, {}, 'concurrency.maxPerBackend: 0 is not an integer >= 1'],
    ['cap that is no number', {}, { GATEWAY_CONCURRENCY_MAX_PER_BACKEND: 'ten' }, 'GATEWAY_CONCURRENCY_MAX_PER_BACKEND: "ten" is not a number'],
    ['negative queue', { backends, concurrency: { maxPerBackend: 2, maxPending: -1 } }, {}, 'concurrency.maxPending: -1 is not an integer >= 0'],
    ['queue timeout of zero', {}, { GATEWAY_CONCURRENCY_QUEUE_TIMEOUT_MS: '0' }, 'GATEWAY_CONCURRENCY_QUEUE_TIMEOUT_MS: "0" is not an integer >= 1'],
    ['misspelt pool override', { pools: { api: { backends, concurrency: { maxPerBackends: 2 } } }, routes: [{ name: 'a', pool: 'api' }] }, {}, 'pools.api.concurrency.maxPerBackends: unknown key'],
    ['fractional event-loop delay', { overload: { maxEventLoopDelayMs: 2.5 } }, {}, 'overload.maxEventLoopDelayMs: 2.5 is not an integer'],
    ['concurrent requests of zero', {}, { GATEWAY_OVERLOAD_MAX_CONCURRENT_REQUESTS: '0' }, 'GATEWAY_OVERLOAD_MAX_CONCURRENT_REQUESTS: "0" is not an integer >= 1'],
    ['Retry-After of zero', { overload: { retryAfterSeconds: 0 } }, {}, 'overload.retryAfterSeconds: 0 is not an integer >= 1'],
    ['connection cap that is text', { limits: { maxClientConnections: 'many' } }, {}, 'limits.maxClientConnections: "many" is not a number'],
    ['a cap with the reply-from engine', { backends, proxy: { engine: 'reply-from' }, concurrency: { maxPerBackend: 2 } }, {}, 'concurrency.maxPerBackend: 2 is supported with proxy.engine "undici" only'],
  ];
  for (const [what, config, env, expected] of cases) t.match(errorOf(config, env), expected, what);
});

t.test('gateway check exits 2 with one line naming the key', async (t) => {
  const result = spawnSync(process.execPath, [GATEWAY_CLI, 'check', '--config', fileOf({ backends, overload: { maxConcurrentRequests: -5 } })], { env: { PATH: process.env.PATH }, encoding: 'utf8', cwd: tmpdir(), timeout: 20_000 });
  t.equal(result.status, 2);
  t.equal(result.stderr.trim(), 'gateway: invalid config: overload.maxConcurrentRequests: -5 is not an integer >= 1');
});

t.test('off by default; a pool overrides concurrency key by key', async (t) => {
  const config = loadConfig({ file: fileOf({ backends }), env: {} });
  t.same(config.overload, { maxEventLoopDelayMs: null, maxConcurrentRequests: null, retryAfterSeconds: 1 }, 'no shedding by default');
  t.same(config.concurrency, { maxPerBackend: null, maxPending: 100, queueTimeoutMs: 1000 }, 'no cap per backend by default');
  t.equal(config.limits.maxClientConnections, null, 'no connection cap by default');

  const pooled = loadConfig({
    file: fileOf({ concurrency: { maxPerBackend: 4, queueTimeoutMs: 500 }, pools: { api: { backends, concurrency: { maxPerBackend: 16 } }, web: { backends: ['http://127.0.0.1:3002'] } }, routes: [{ name: 'a', pool: 'api' }] }),
    env: { GATEWAY_CONCURRENCY_MAX_PENDING: '7' },
  });
  const byName = new Map(resolvePools(pooled).map((pool) => [pool.name, pool.concurrency]));
  t.same(byName.get('api'), { maxPerBackend: 16, maxPending: 7, queueTimeoutMs: 500 }, 'api: its own cap, the rest from the top level');
  t.same(byName.get('web'), { maxPerBackend: 4, maxPending: 7, queueTimeoutMs: 500 }, 'web: the top-level section');
});
