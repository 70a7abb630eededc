// A rate limit keyed on the identity the route's auth found: each API key (key "api-key"), or each value of a JWT
// claim (key "claim:NAME"), has its own bucket whatever address it comes from, so one partner using up its burst
// does not limit another. The JWT route verifies with a PEM key file, whose name is the kid.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportSPKI, importJWK } from 'jose';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway } from './helpers/gateway.js';
import { signingKey, signToken } from './helpers/jwks-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

t.test('rate limit per API key name', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [{
      name: 'partners', match: {}, pool: 'default',
      auth: { apiKey: { keys: [{ name: 'acme', sha256: sha256('acme-key-1') }, { name: 'globex', sha256: sha256('globex-key-1') }] } },
      rateLimit: { rate: 1, burst: 3, key: 'api-key' },
    }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  const statuses = async (key: string, count: number) => (await curlTimes(`${gw.url}/hello`, count, ['-H', `X-Api-Key: ${key}`])).map((answer) => answer.status);

  t.same(await statuses('acme-key-1', 4), [200, 200, 200, 429], 'acme: its burst of 3, then 429');
  t.same(await statuses('globex-key-1', 4), [200, 200, 200, 429], 'globex, from the same address: a bucket of its own');
  t.same(await statuses('wrong-key', 5), [401, 401, 401, 401, 401], 'an unknown key is refused by the auth before it can use a bucket');
  t.equal(backend.arrivals.get('GET /hello'), 6, 'the backend saw the 6 admitted requests');
});

t.test('rate limit per JWT claim value, keys from a PEM file', async (t) => {
  const key = await signingKey('RS256', 'signing-2026');
  const pem = join(scratchDir('jwt-pem'), 'signing-2026.pem');
  writeFileSync(pem, await exportSPKI((await importJWK(key.publicJwk, 'RS256', { extractable: true })) as CryptoKey));
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [{ name: 'api', match: {}, pool: 'default', auth: { jwt: { keyFiles: [pem] } }, rateLimit: { rate: 1, burst: 2, key: 'claim:tenant' } }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  const statuses = async (tenant: string, sub: string) => {
    const token = await signToken(key, { sub, tenant }, { expIn: 60 });
    return (await curlTimes(`${gw.url}/hello`, 3, ['-H', `Authorization: Bearer ${token}`])).map((answer) => answer.status);
  };
  t.same(await statuses('acme', 'alice'), [200, 200, 429], 'tenant acme: its burst of 2, then 429');
  t.same(await statuses('acme', 'bob'), [429, 429, 429], 'another user of acme shares its bucket');
  t.same(await statuses('globex', 'carol'), [200, 200, 429], 'tenant globex has its own');
});
