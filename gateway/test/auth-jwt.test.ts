// JWT bearer authentication per route, with curl and a real JWKS server process: RS256, ES256 and EdDSA tokens
// from the JWKS and HS256 from a secret file are accepted and the backend gets X-Auth-Subject and the configured
// claims; a wrong issuer or audience, an expired or not-yet-valid token get 401 with an RFC 6750 challenge, a
// token lacking a required claim 403 insufficient_scope; none reaches the backend, each is counted by reason.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { curlAnswer, type Echo } from './helpers/curl-answer.js';
import { startGateway } from './helpers/gateway.js';
import { signingKey, signToken, startJwksServer } from './helpers/jwks-process.js';
import { metricSum } from './helpers/metrics-sum.js';
import { scratchDir } from './helpers/scratch-dir.js';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'orders-api';
const secret = new TextEncoder().encode('an-hs256-secret-of-at-least-32-bytes!!');

t.test('JWT routes through the gateway', async (t) => {
  const keys = await Promise.all([signingKey('RS256', 'rsa-1'), signingKey('ES256', 'ec-1'), signingKey('EdDSA', 'ed-1')]);
  const jwks = await startJwksServer(keys);
  const backend = await startCountingServer((req, res) => res.end(JSON.stringify({ url: req.url, headers: req.headers })));
  const secretFile = join(scratchDir('jwt-secret'), 'hs256.secret');
  writeFileSync(secretFile, `${Buffer.from(secret).toString()}\n`);
  const jwt = { issuer: ISSUER, audience: AUDIENCE, clockSkewSeconds: 30, requiredClaims: { scope: 'orders:read' }, forwardClaims: { tenant: 'X-Auth-Tenant' } };
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [
      { name: 'orders', match: { pathPrefix: '/orders' }, pool: 'default', auth: { jwt: { ...jwt, jwksUrl: jwks.url } } },
      { name: 'legacy', match: { pathPrefix: '/legacy' }, pool: 'default', auth: { jwt: { ...jwt, secretFile } } },
    ],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
    await jwks.close();
  });
  const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-42', scope: 'orders:read orders:write', tenant: 'acme' };
  const bearer = (token: string) => ['-H', `Authorization: Bearer ${token}`];

  for (const key of keys) {
    const answer = await curlAnswer(`${gw.url}/orders/1`, bearer(await signToken(key, claims, { expIn: 60 })));
    t.equal(answer.status, 200, `${key.alg} from the JWKS: accepted`);
    const echo = answer.body as unknown as Echo;
    t.equal(echo.headers['x-auth-subject'], 'user-42', `${key.alg}: the backend gets X-Auth-Subject`);
    t.equal(echo.headers['x-auth-tenant'], 'acme', `${key.alg}: and the forwarded claim`);
  }
  const hs = await curlAnswer(`${gw.url}/legacy/1`, bearer(await signToken({ alg: 'HS256', secret }, claims, { expIn: 60 })));
  t.equal(hs.status, 200, 'HS256 with the secret file: accepted');
  t.equal(hs.challenge, '');
  const rsaOnHs = await curlAnswer(`${gw.url}/legacy/1`, bearer(await signToken(keys[0]!, claims, { expIn: 60 })));
  t.equal(rsaOnHs.status, 401, 'an RS256 token on the HS256 route: refused');
  const served = backend.arrivals.get('GET /orders/1');

  const [rsa] = keys;
  const refused = [
    { name: 'no token', args: [], status: 401, reason: 'missing', challenge: 'Bearer realm="orders"' },
    { name: 'not a bearer token', args: ['-H', 'Authorization: Basic dXNlcjpwYXNz'], status: 401, reason: 'invalid', challenge: /^Bearer realm="orders", error="invalid_token"/ },
    { name: 'garbage token', args: bearer('not.a.jwt'), status: 401, reason: 'invalid', challenge: /error="invalid_token"/ },
    { name: 'wrong issuer', args: bearer(await signToken(rsa!, { ...claims, iss: 'https://evil.test' }, { expIn: 60 })), status: 401, reason: 'invalid', challenge: /error="invalid_token"/ },
    { name: 'wrong audience', args: bearer(await signToken(rsa!, { ...claims, aud: 'billing' }, { expIn: 60 })), status: 401, reason: 'invalid', challenge: /error="invalid_token"/ },
    { name: 'expired beyond the skew', args: bearer(await signToken(rsa!, claims, { expIn: -120 })), status: 401, reason: 'expired', challenge: /error_description="the token has expired"/ },
    { name: 'nbf beyond the skew', args: bearer(await signToken(rsa!, claims, { expIn: 600, nbfIn: 120 })), status: 401, reason: 'not_yet_valid', challenge: /not valid yet/ },
    { name: 'lacking the required scope', args: bearer(await signToken(rsa!, { ...claims, scope: 'orders:write' }, { expIn: 60 })), status: 403, reason: 'forbidden', challenge: /^Bearer realm="orders", error="insufficient_scope"/ },
  ];
  for (const c of refused) {
    const answer = await curlAnswer(`${gw.url}/orders/1`, c.args);
    t.equal(answer.status, c.status, `${c.name}: ${c.status}`);
    t.match(answer.challenge, c.challenge, `${c.name}: WWW-Authenticate`);
    t.match(answer.body, { error: c.status === 401 ? 'unauthorized' : 'forbidden', requestId: /.+/ }, `${c.name}: the gateway's JSON error`);
  }
  t.equal(backend.arrivals.get('GET /orders/1'), served, 'no refused request reached the backend');
  for (const reason of ['missing', 'invalid', 'expired', 'not_yet_valid', 'forbidden']) {
    t.equal(await metricSum(gw.adminUrl, 'gateway_auth_rejections_total', { route: 'orders', reason }), refused.filter((c) => c.reason === reason).length, `gateway_auth_rejections_total{reason="${reason}"}`);
  }

  // Within the 30 s skew, a token just expired or not yet valid is still accepted.
  t.equal((await curlAnswer(`${gw.url}/orders/1`, bearer(await signToken(rsa!, claims, { expIn: -10 })))).status, 200, 'expired 10 s ago, skew 30 s: accepted');
  t.equal((await curlAnswer(`${gw.url}/orders/1`, bearer(await signToken(rsa!, claims, { expIn: 600, nbfIn: 10 })))).status, 200, 'nbf in 10 s, skew 30 s: accepted');
});
