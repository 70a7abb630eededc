// `gateway render nginx|haproxy` prints the config on stdout; a missing or unknown target exits 2 with the usage.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { GATEWAY_CLI } from './helpers/gateway-process.js';

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
