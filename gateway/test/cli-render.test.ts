// `gateway render nginx|haproxy` prints the config on stdout, routes and pools included; a missing or unknown target
// exits 2 with the usage, and a config the target cannot take exits 2 with the reason.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

const CONFIG = fileURLToPath(new URL('../../gateway.config.json', import.meta.url));
const gateway = (...args: string[]) => spawnSync(process.execPath, [GATEWAY_CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });

t.test('render nginx and render haproxy print a config on stdout', async (t) => {
  const nginx = gateway('render', 'nginx', '--config', CONFIG);
  t.equal(nginx.status, 0);
  t.match(nginx.stdout, /upstream gateway_backends \{/);
  const haproxy = gateway('render', 'haproxy', '--config', CONFIG);
  t.equal(haproxy.status, 0);
  t.match(haproxy.stdout, /backend gateway_backends\n/);
});

t.test('an unknown or missing target exits 2 and shows the usage', async (t) => {
  for (const args of [['render', 'envoy'], ['render']]) {
    const result = gateway(...args, '--config', CONFIG);
    t.equal(result.status, 2, args.join(' '));
    t.match(result.stderr, /render needs a target: nginx or haproxy/);
    t.match(result.stderr, /usage: gateway/);
    t.equal(result.stdout, '', 'nothing on stdout');
  }
});

t.test('a config the target cannot take exits 2 with the reason', async (t) => {
  const result = spawnSync(process.execPath, [GATEWAY_CLI, 'render', 'nginx'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GATEWAY_BACKENDS: 'http://a.internal:80,https://b.internal:443' },
  });
  t.equal(result.status, 2);
  t.match(result.stderr, /cannot render nginx: nginx cannot mix http and https/);
});

t.test('a config with routes renders its pools and routes', async (t) => {
  const file = join(scratchDir('cli-render'), 'routes.json');
  const pools = { api: { backends: ['http://127.0.0.1:4001'] }, web: { backends: ['http://127.0.0.1:4002'] } };
  writeFileSync(file, JSON.stringify({ pools, routes: [{ name: 'api', match: { pathPrefix: '/api' }, pool: 'api' }, { name: 'web', pool: 'web' }] }));
  t.match(gateway('render', 'nginx', '--config', file).stdout, /upstream pool_api \{[^]*upstream pool_web \{/);
  t.match(gateway('render', 'haproxy', '--config', file).stdout, /use_backend pool_api if \{ var\(txn\.route\) -m str api \}/);

  writeFileSync(file, JSON.stringify({ pools, routes: [{ name: 'api', match: { headers: { x_key: 'k' } }, pool: 'api' }] }));
  const refused = gateway('render', 'nginx', '--config', file);
  t.equal(refused.status, 2);
  t.match(refused.stderr, /cannot render nginx: nginx ignores the header x_key/);
});
