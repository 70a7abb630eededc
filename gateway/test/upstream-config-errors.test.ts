// A pool's upstream settings that cannot work are configuration errors: `gateway check` and `gateway start`
// exit 2 with one line naming the key (TLS files that do not load, a protocol that does not fit the backends'
// scheme, a gRPC method that is no method path); good settings pass `check`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const dir = scratchDir('upstream-config');
const good = makeCertificate(dir, 'good', ['localhost']);
const other = makeCertificate(dir, 'other', ['localhost']);

function run(command: string, pool: Record<string, unknown>) {
  const file = join(dir, `${command}-${Math.random().toString(36).slice(2)}.json`);
  const config = { listen: { host: '127.0.0.1', port: 0 }, admin: { port: 0 }, audit: { file: join(dir, 'audit.jsonl') }, pools: { api: { backends: ['https://127.0.0.1:9'], ...pool } }, routes: [{ name: 'all', pool: 'api' }] };
  writeFileSync(file, JSON.stringify(config));
  const result = spawnSync(process.execPath, [GATEWAY_CLI, command, '--config', file], { env: { PATH: process.env.PATH }, encoding: 'utf8', cwd: tmpdir(), timeout: 20_000 });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

const cases = [
  { name: 'a missing CA file', pool: { tls: { ca: join(dir, 'none.crt') } }, expect: `pools.api.tls.ca: "${join(dir, 'none.crt')}" cannot be read (ENOENT)` },
  { name: 'a key where the CA should be', pool: { tls: { ca: good.key } }, expect: `pools.api.tls.ca: "${good.key}" is not a PEM certificate` },
  { name: 'a client key of another certificate', pool: { tls: { cert: good.cert, key: other.key } }, expect: `pools.api.tls.key: "${other.key}" does not load with the certificate ${good.cert}` },
  { name: 'a client certificate without its key', pool: { tls: { cert: good.cert } }, expect: `pools.api.tls.cert: "${good.cert}" needs cert and key together` },
  { name: 'h2c to an https backend', pool: { protocol: 'h2c' }, expect: 'pools.api.backends.0: "https://127.0.0.1:9" is not an http:// URL, which protocol h2c needs' },
  { name: 'an unknown protocol', pool: { protocol: 'http3' }, expect: 'pools.api.protocol: "http3" is not one of http1, h2, h2c, grpc' },
  { name: 'a gRPC method that is no path', pool: { protocol: 'grpc', grpc: { idempotentMethods: ['SayHello'] } }, expect: 'pools.api.grpc.idempotentMethods.0: "SayHello" is not a gRPC method path' },
];

for (const { name, pool, expect } of cases) {
  t.test(`${name}: exit 2, one line`, async (t) => {
    for (const command of ['check', 'start']) {
      const { code, stderr } = run(command, pool);
      t.equal(code, 2, `${command} exits 2`);
      t.equal(stderr.trim().split('\n').length, 1, `${command} prints one line`);
      t.match(stderr, `gateway: invalid config: ${expect}`);
    }
  });
}

t.test('CA, client certificate, SNI and h2 pass check', async (t) => {
  const { code, stdout } = run('check', { protocol: 'h2', tls: { ca: good.cert, cert: good.cert, key: good.key, servername: 'localhost' } });
  t.equal(code, 0);
  t.match(stdout, 'config ok');
});
