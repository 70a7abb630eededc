// `npm start`'s HTTPS (and the TLS bench's): a self-signed certificate for localhost made at each start with the openssl command
// (Node can read certificates but not build them) into .gateway-tls/, which git ignores: a private key is never
// committed. Without openssl the demo runs cleartext only and says why.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEMO_TLS_DIR = resolve('.gateway-tls');

/** The files made, or the reason there are none. */
export type DemoCertificate = { cert: string; key: string } | { error: string };

/** Into `dir` (the bench makes its own in a temp dir); the demo's is .gateway-tls/. */
export function makeDemoCertificate(dir = DEMO_TLS_DIR): DemoCertificate {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cert = join(dir, 'localhost.crt');
  const key = join(dir, 'localhost.key');
  const result = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '-days', '30', '-keyout', key, '-out', cert,
  ], { encoding: 'utf8', timeout: 10_000 });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    return { error: missing ? 'the openssl command is not installed (apt-get install openssl)' : result.error.message };
  }
  if (result.status !== 0) return { error: `openssl failed: ${result.stderr.trim().split('\n').at(-1)}` };
  return { cert, key };
}
