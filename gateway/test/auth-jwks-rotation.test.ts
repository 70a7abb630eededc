// Key rotation at the identity provider, with a real JWKS server process: a token signed by a key the gateway has
// not seen makes it fetch the JWKS again (at most once per jwksCooldownMs), so a new key is accepted as soon as
// it is published, and a token signed by a key removed from the JWKS is refused; the provider down: 503.
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { curlAnswer } from './helpers/curl-answer.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway } from './helpers/gateway.js';
import { signingKey, signToken, startJwksServer } from './helpers/jwks-process.js';
import { metricSum } from './helpers/metrics-sum.js';

const COOLDOWN_MS = 300;

t.test('a rotated JWKS: the new key accepted, the removed one refused', async (t) => {
  const [oldKey, newKey] = await Promise.all([signingKey('ES256', 'key-2026-01'), signingKey('ES256', 'key-2026-02')]);
  const jwks = await startJwksServer([oldKey!]);
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [{ name: 'api', match: {}, pool: 'default', auth: { jwt: { jwksUrl: jwks.url, jwksCooldownMs: COOLDOWN_MS, algorithms: ['ES256'] } } }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
    await jwks.close();
  });
  const call = async (key: typeof oldKey) => curlAnswer(`${gw.url}/x`, ['-H', `Authorization: Bearer ${await signToken(key!, { sub: 'u1' }, { expIn: 60 })}`]);

  t.equal((await call(oldKey)).status, 200, 'the published key: accepted');
  t.equal((await call(oldKey)).status, 200, 'again, from the cached JWKS');
  t.equal(jwks.fetches, 1, 'the JWKS was fetched once');

  jwks.publish([oldKey!, newKey!]);
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
  t.equal((await call(newKey)).status, 200, 'a token of the newly published key: accepted after one refetch');
  t.equal(jwks.fetches, 2, 'its unknown kid made the gateway fetch again');

  jwks.publish([newKey!]);
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
  t.equal((await call(newKey)).status, 200, 'the new key goes on working');
  // The cached set still holds the old key until the JWKS is fetched again: an unknown kid, or the cache's max age.
  const stranger = await signingKey('ES256', 'key-unknown');
  const unknown = await call(stranger);
  t.equal(unknown.status, 401, 'a kid no JWKS has: 401');
  t.match(unknown.challenge, /error="invalid_token"/);
  t.equal(jwks.fetches, 3, 'it made the gateway fetch the rotated set');
  t.equal((await call(oldKey)).status, 401, 'the removed key: refused');
  t.ok(await metricSum(gw.adminUrl, 'gateway_auth_rejections_total', { route: 'api', reason: 'unknown_key' }) >= 2, 'counted as unknown_key');

  // A burst of unknown kids (one curl, 20 requests) fetches at most once per cooldown, however busy the machine.
  const before = jwks.fetches;
  const started = Date.now();
  const token = await signToken(stranger, { sub: 'u1' }, { expIn: 60 });
  const statuses = (await curlTimes(`${gw.url}/x`, 20, ['-H', `Authorization: Bearer ${token}`])).map((answer) => answer.status);
  const allowed = 1 + Math.floor((Date.now() - started) / COOLDOWN_MS);
  t.ok(statuses.every((status) => status === 401), 'all 20 refused');
  t.ok(jwks.fetches - before <= allowed, `20 unknown kids: ${jwks.fetches - before} fetch(es), at most ${allowed}`);

  await jwks.close();
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
  const down = await call(await signingKey('ES256', 'key-after-outage'));
  t.equal(down.status, 503, 'the JWKS server down and an unknown kid: 503');
  t.match(down.body, { error: 'auth_unavailable' });
  t.equal((await call(newKey)).status, 200, 'known keys keep working from the cache while it is down');
});
