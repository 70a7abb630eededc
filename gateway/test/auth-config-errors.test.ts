// Invalid route authentication is refused with one line naming the key (a hash that is not SHA-256, an unknown
// algorithm, a jwt section without keys, an unreadable or unparsable key file, a short HS256 secret, an algorithm
// its key source cannot verify, an identity header outside X-Auth-*), and `gateway check` and `start` exit 2 with it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { GATEWAY_CLI } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

const dir = scratchDir('auth-config');
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const notAKey = file('not-a-key.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
const shortSecret = file('short.secret', 'hunter2\n');
const badKeys = file('keys.json', JSON.stringify([{ name: 'ci', sha256: 'abc' }]));

/** A config whose one route has this auth (and rate limit). */
function config(auth: unknown, rateLimit?: unknown): string {
  return file(`gateway-${Math.random().toString(36).slice(2)}.json`, JSON.stringify({ backends: ['http://127.0.0.1:3001'], routes: [{ name: 'a', pool: 'default', auth, rateLimit }] }));
}

const cases = [
  { name: 'hash that is not SHA-256', auth: { apiKey: { keys: [{ name: 'ci', sha256: 'abc' }] } }, expect: 'routes.0.auth.apiKey.keys.0.sha256: "abc" is not a SHA-256 hash (64 hex digits)' },
  { name: 'bad entry in the keys file', auth: { apiKey: { keysFile: badKeys } }, expect: `routes.0.auth.apiKey.keysFile: "${badKeys}" holds a bad key list: entry 0.sha256 is not a SHA-256 hash` },
  { name: 'keys file that does not exist', auth: { apiKey: { keysFile: '/nonexistent/keys.json' } }, expect: 'routes.0.auth.apiKey.keysFile: "/nonexistent/keys.json" cannot be read (ENOENT)' },
  { name: 'unknown algorithm', auth: { jwt: { jwksUrl: 'https://id.example.test/jwks.json', algorithms: ['PS256'] } }, expect: 'routes.0.auth.jwt.algorithms.0: "PS256" is not one of RS256, ES256, EdDSA, HS256' },
  { name: 'jwt with no key source', auth: { jwt: { issuer: 'https://id.example.test' } }, expect: 'routes.0.auth.jwt.jwksUrl: is required (or keyFiles, or secretFile)' },
  { name: 'unreadable key file', auth: { jwt: { keyFiles: ['/nonexistent/signing.pem'] } }, expect: 'routes.0.auth.jwt.keyFiles.0: "/nonexistent/signing.pem" cannot be read (ENOENT)' },
  { name: 'key file that is not a key', auth: { jwt: { keyFiles: [notAKey] } }, expect: `routes.0.auth.jwt.keyFiles.0: "${notAKey}" is not a public key in PEM or JWK` },
  { name: 'HS256 secret too short', auth: { jwt: { secretFile: shortSecret } }, expect: `routes.0.auth.jwt.secretFile: "${shortSecret}" holds 7 bytes; an HS256 secret needs at least 32` },
  { name: 'HS256 allowed with a JWKS', auth: { jwt: { jwksUrl: 'https://id.example.test/jwks.json', algorithms: ['RS256', 'HS256'] } }, expect: 'routes.0.auth.jwt.algorithms: ["RS256","HS256"] has HS256, which jwksUrl cannot verify' },
  { name: 'forwarded claim outside X-Auth-*', auth: { jwt: { jwksUrl: 'https://id.example.test/jwks.json', forwardClaims: { tenant: 'X-Tenant' } } }, expect: 'routes.0.auth.jwt.forwardClaims.tenant: "X-Tenant" is not a header named X-Auth-*' },
  { name: 'rate limit on api-key without API keys', auth: { jwt: { jwksUrl: 'https://id.example.test/jwks.json' } }, rateLimit: { rate: 1, key: 'api-key' }, expect: 'routes.0.rateLimit.key: "api-key" needs auth.apiKey on the route' },
];

t.test('each invalid setting names its key', async (t) => {
  for (const c of cases) {
    let message = 'valid';
    try {
      loadConfig({ file: config(c.auth, c.rateLimit), env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    t.match(message, c.expect, c.name);
  }
});

t.test('gateway check and start exit 2 with that one line', async (t) => {
  const path = config({ jwt: { keyFiles: ['/nonexistent/signing.pem'] } });
  for (const command of ['check', 'start']) {
    const result = spawnSync(process.execPath, [GATEWAY_CLI, command, '--config', path], { env: { PATH: process.env.PATH }, encoding: 'utf8', cwd: tmpdir(), timeout: 20_000 });
    t.equal(result.status, 2, `${command} exits 2`);
    t.same(result.stderr.trim().split('\n'), ['gateway: invalid config: routes.0.auth.jwt.keyFiles.0: "/nonexistent/signing.pem" cannot be read (ENOENT)'], `${command} prints one line`);
  }
});
