// nginx -t and haproxy -c on a rendered config, written to a scratch folder: what each checker printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './scratch-dir.js';

/** nginx -t -q: empty when the config is accepted without a warning; throws when nginx refuses it. */
export function nginxTest(text: string): string {
  const dir = scratchDir('nginx-test');
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'nginx.conf'), text);
  // nginx -t writes its verdict and any warning on stderr.
  return execFileSync('nginx', ['-t', '-p', dir, '-c', 'nginx.conf', '-e', 'stderr', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** haproxy -c: its whole output ("Configuration file is valid", warnings, alerts). */
export function haproxyCheck(text: string): string {
  const file = join(scratchDir('haproxy-check'), 'haproxy.cfg');
  writeFileSync(file, text);
  const result = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}
