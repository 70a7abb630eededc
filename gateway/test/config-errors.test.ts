// Invalid configuration: `gateway check` and `gateway start` exit 2 with one line naming the key and what is
// allowed, no stack trace; a valid one passes `check` with exit 0.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [GATEWAY_CLI, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', cwd: tmpdir(), timeout: 20_000 });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

function configFile(content: string): string {
  const file = join(scratchDir('gateway-config'), 'gateway.config.json');
  writeFileSync(file, content);
  return file;
}

const cases: { name: string; env?: Record<string, string>; file?: string; expect: string }[] = [
  { name: 'non-http backend URL from the environment', env: { GATEWAY_BACKENDS: 'ftp://x' }, expect: 'GATEWAY_BACKENDS: "ftp://x" is not an http(s) URL' },
  { name: 'unparsable backend URL', env: { GATEWAY_BACKENDS: 'not a url' }, expect: 'GATEWAY_BACKENDS: "not a url" is not an http(s) URL' },
  { name: 'port that is not a number', env: { GATEWAY_LISTEN_PORT: 'eighty' }, expect: 'GATEWAY_LISTEN_PORT: "eighty" is not a number' },
  { name: 'port out of range', env: { GATEWAY_LISTEN_PORT: '70000' }, expect: 'GATEWAY_LISTEN_PORT: "70000" is not an integer <= 65535' },
  { name: 'fall of zero', env: { GATEWAY_HEALTH_CHECK_FALL: '0' }, expect: 'GATEWAY_HEALTH_CHECK_FALL: "0" is not an integer >= 1' },
  { name: 'boolean that is not', env: { GATEWAY_LOG_ACCESS: 'yes' }, expect: 'GATEWAY_LOG_ACCESS: "yes" is not true or false' },
  { name: 'unknown engine', env: { GATEWAY_PROXY_ENGINE: 'nginx' }, expect: 'GATEWAY_PROXY_ENGINE: "nginx" is not "undici" or "reply-from"' },
  { name: 'probe timeout not below interval', env: { GATEWAY_HEALTH_CHECK_TIMEOUT_MS: '1000' }, expect: 'GATEWAY_HEALTH_CHECK_TIMEOUT_MS: "1000" is not below healthCheck.intervalMs (1000)' },
  { name: 'backend with a path', file: configFile('{"backends":["http://127.0.0.1:3001/api"]}'), expect: 'backends.0.url: "http://127.0.0.1:3001/api" is not an origin' },
  { name: 'weight out of range in the file', file: configFile('{"backends":[{"url":"http://127.0.0.1:3001","weight":0}]}'), expect: 'backends.0.weight: 0 is not an integer >= 1' },
  { name: 'duplicate backend', file: configFile('{"backends":["http://127.0.0.1:3001","http://127.0.0.1:3001"]}'), expect: 'backends.1: "http://127.0.0.1:3001" repeats backends[0]' },
  { name: 'misspelt key', file: configFile('{"healthCheck":{"intervalMS":100}}'), expect: 'healthCheck.intervalMS: unknown key' },
  { name: 'file that is not JSON', file: configFile('{backends: []}'), expect: 'not valid JSON' },
  { name: 'file that does not exist', file: '/nonexistent/gateway.json', expect: 'config file /nonexistent/gateway.json: cannot be read (ENOENT)' },
  // Pools and routes: every invalid combination names its key.
  { name: 'route to an unknown pool', file: configFile('{"pools":{"api":{"backends":["http://127.0.0.1:3001"]}},"routes":[{"name":"a","pool":"apii"}]}'), expect: 'routes.0.pool: "apii" is not a pool (api)' },
  { name: 'split to an unknown pool', file: configFile('{"pools":{"blue":{"backends":["http://127.0.0.1:3001"]}},"routes":[{"name":"a","split":[{"pool":"blue","weight":1},{"pool":"grey","weight":1}]}]}'), expect: 'routes.0.split.1.pool: "grey" is not a pool' },
  { name: 'split weights summing to 0', file: configFile('{"pools":{"blue":{"backends":["http://127.0.0.1:3001"]}},"routes":[{"name":"a","split":[{"pool":"blue","weight":0}]}]}'), expect: 'routes.0.split: [{"pool":"blue","weight":0}] has weights that sum to 0' },
  { name: 'duplicate route names', file: configFile('{"backends":["http://127.0.0.1:3001"],"routes":[{"name":"a","pool":"default"},{"name":"a","pool":"default"}]}'), expect: 'routes.1.name: "a" repeats routes[0].name' },
  { name: 'header regex that does not compile', file: configFile('{"backends":["http://127.0.0.1:3001"],"routes":[{"name":"a","match":{"headers":{"x-v":{"regex":"(unclosed"}}},"pool":"default"}]}'), expect: 'routes.0.match.headers.x-v.regex: "(unclosed" does not compile' },
  { name: 'route with both pool and split', file: configFile('{"backends":["http://127.0.0.1:3001"],"routes":[{"name":"a","pool":"default","split":[{"pool":"default","weight":1}]}]}'), expect: 'routes.0.pool: "default" is set together with split' },
  { name: 'stripPrefix without a prefix', file: configFile('{"backends":["http://127.0.0.1:3001"],"routes":[{"name":"a","pool":"default","stripPrefix":true}]}'), expect: 'routes.0.stripPrefix: true needs match.pathPrefix' },
  { name: 'consistent hashing without a key', file: configFile('{"pools":{"api":{"backends":["http://127.0.0.1:3001"],"policy":"consistent-hash"}},"routes":[{"name":"a","pool":"api"}]}'), expect: 'pools.api.policy: "consistent-hash" needs hashOn' },
  { name: 'unknown balancing policy', file: configFile('{"pools":{"api":{"backends":["http://127.0.0.1:3001"],"policy":"random"}},"routes":[{"name":"a","pool":"api"}]}'), expect: 'pools.api.policy: "random" is not one of round-robin, least-outstanding, consistent-hash' },
  { name: 'a backend in two pools', file: configFile('{"pools":{"a":{"backends":["http://127.0.0.1:3001"]},"b":{"backends":["http://127.0.0.1:3001"]}},"routes":[{"name":"a","pool":"a"}]}'), expect: 'pools.b.backends.0: "http://127.0.0.1:3001" is already a backend of pool a' },
  { name: 'pools without a default and no routes', file: configFile('{"pools":{"api":{"backends":["http://127.0.0.1:3001"]}}}'), expect: 'routes: is required when there is no pool "default"' },
  { name: 'misspelt key in a pool override', file: configFile('{"pools":{"api":{"backends":["http://127.0.0.1:3001"],"retry":{"retires":1}}},"routes":[{"name":"a","pool":"api"}]}'), expect: 'pools.api.retry.retires: unknown key' },
  { name: 'access log file that cannot be written', env: { GATEWAY_BACKENDS: 'http://127.0.0.1:3001', GATEWAY_LOG_ACCESS_FILE: '/dev/null/logs/access.log' }, expect: 'log.accessFile: cannot append to "/dev/null/logs/access.log" (ENOTDIR)' },
  { name: 'routes from the environment that are not JSON', env: { GATEWAY_BACKENDS: 'http://127.0.0.1:3001', GATEWAY_ROUTES: '[{name' }, expect: 'GATEWAY_ROUTES: "[{name" is not a list of routes' },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    for (const command of ['check', 'start']) {
      const result = run([command, ...(c.file ? ['--config', c.file] : [])], c.env);
      t.equal(result.code, 2, `${command} exits 2`);
      const lines = result.stderr.trim().split('\n');
      t.equal(lines.length, 1, `${command} prints one line`);
      t.match(lines[0], /^gateway: invalid config: /);
      t.match(lines[0], c.expect);
      t.notMatch(result.stderr, /\bat .+:\d+:\d+/, 'no stack trace');
    }
  });
}

t.test('a valid configuration passes check', async (t) => {
  const result = run(['check', '--config', configFile('{"backends":["http://127.0.0.1:3001",{"url":"http://127.0.0.1:3002","weight":3,"backup":true}]}')], { GATEWAY_HEALTH_CHECK_FALL: '3' });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /config ok: 2 backend\(s\)/);
});

t.test('an unknown command is a usage error', async (t) => {
  const result = run(['launch']);
  t.equal(result.code, 2);
  t.match(result.stderr, /unknown command "launch"/);
});
