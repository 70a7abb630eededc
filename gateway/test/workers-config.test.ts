// The workers key: a whole number from 1 to 256 or "auto"; anything else stops the gateway with exit code 2
// and one line naming the key (from the file) or the variable (from the environment).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

const dir = scratchDir('workers-config');

function check(config: Record<string, unknown>, env: Record<string, string> = {}) {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const result = spawnSync(process.execPath, [GATEWAY_CLI, 'check', '--config', file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr.trim() };
}

const INVALID: [string, Record<string, unknown>, Record<string, string>, RegExp][] = [
  ['zero workers', { workers: 0 }, {}, /^gateway: invalid config: workers: 0 is not a whole number from 1 to 256 or "auto"$/],
  ['a fraction', { workers: 1.5 }, {}, /^gateway: invalid config: workers: 1\.5 is not/],
  ['a word', { workers: 'many' }, {}, /^gateway: invalid config: workers: "many" is not/],
  ['too many', { workers: 1000 }, {}, /^gateway: invalid config: workers: 1000 is not/],
  ['a bad variable', {}, { GATEWAY_WORKERS: 'all' }, /^gateway: invalid config: GATEWAY_WORKERS: "all" is not a whole number/],
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
