// Certificates that cannot serve are configuration errors: `gateway check` and `gateway start` exit 2 with one
// line naming the key (a mismatched key, a missing file, a file that is no certificate, no certificate at all);
// good certificates pass `check`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const dir = scratchDir('tls-config');
const good = makeCertificate(dir, 'good', ['localhost']);
const other = makeCertificate(dir, 'other', ['localhost']);

function run(command: string, tls: Record<string, unknown>) {
  const file = join(dir, `${command}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, admin: { port: 0 }, audit: { file: join(dir, 'audit.jsonl') }, tls: { enabled: true, port: 0, ...tls } }));
  const result = spawnSync(process.execPath, [GATEWAY_CLI, command, '--config', file], { env: { PATH: process.env.PATH }, encoding: 'utf8', cwd: tmpdir(), timeout: 20_000 });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

const cases = [
  { name: 'a key that belongs to another certificate', tls: { certificates: [good, { cert: good.cert, key: other.key }] }, expect: `tls.certificates.1.key: ${other.key} does not match the certificate ${good.cert}` },
  { name: 'a missing certificate file', tls: { certificates: [{ cert: join(dir, 'none.crt'), key: good.key }] }, expect: `tls.certificates.0.cert: ${join(dir, 'none.crt')} cannot be read (ENOENT)` },
  { name: 'a key where the certificate should be', tls: { certificates: [{ cert: good.key, key: good.key }] }, expect: `tls.certificates.0.cert: ${good.key} is not a PEM certificate` },
  { name: 'a certificate where the key should be', tls: { certificates: [{ cert: good.cert, key: good.cert }] }, expect: `tls.certificates.0.key: ${good.cert} is not an unencrypted PEM private key` },
  { name: 'no certificate', tls: {}, expect: 'tls.certificates: lists no certificate, and tls.enabled needs one {cert, key} at least' },
  { name: 'an old TLS version', tls: { certificates: [good], minVersion: 'TLSv1.1' }, expect: 'tls.minVersion: "TLSv1.1" is not "TLSv1.2" or "TLSv1.3"' },
];

for (const { name, tls, expect } of cases) {
  t.test(`${name}: exit 2, one line`, async (t) => {
    for (const command of ['check', 'start']) {
      const { code, stderr } = run(command, tls);
      t.equal(code, 2, `${command} exits 2`);
      t.equal(stderr.trim().split('\n').length, 1, `${command} prints one line`);
      t.match(stderr, `gateway: invalid config: ${expect}`);
    }
  });
}

t.test('good certificates pass check', async (t) => {
  const { code, stdout } = run('check', { certificates: [good, { ...other, names: ['other.test'] }] });
  t.equal(code, 0);
  t.match(stdout, 'config ok');
});
