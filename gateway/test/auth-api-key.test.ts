// API-key authentication per route, with curl: the right key (inline hash, or from a keys file; in a header or a
// query parameter) reaches the backend, which sees X-Auth-Subject with the key's name and never the key itself;
// a wrong or missing key gets 401 with an ApiKey challenge, a WebSocket handshake too; client-sent X-Auth-*
// headers are dropped on every route; the access log names the key, never the key itself, and refusals are
// logged at most once a second per reason.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { capturedLogger } from './helpers/captured-logger.js';
import { startCountingServer } from './helpers/counting-server.js';
import { curlAnswer, type Echo } from './helpers/curl-answer.js';
import { startGateway } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';
import { scratchDir } from './helpers/scratch-dir.js';

const ALICE_KEY = 'alice-4f1c9e0b7d2a6358';
const BOB_KEY = 'bob-a83e55d0c19f4b27';
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

t.test('API keys through the gateway', async (t) => {
  const backend = await startCountingServer((req, res) => res.end(JSON.stringify({ url: req.url, headers: req.headers })));
  const keysFile = join(scratchDir('api-keys'), 'keys.json');
  writeFileSync(keysFile, JSON.stringify([{ name: 'bob', sha256: sha256(BOB_KEY) }]));
  const { lines, logger } = capturedLogger();
  const gw = await startGateway({
    backends: [backend.url],
    healthCheck: { enabled: false },
    log: { level: 'info', access: true },
    routes: [
      { name: 'api', match: { pathPrefix: '/api' }, pool: 'default', auth: { apiKey: { keys: [{ name: 'alice', sha256: sha256(ALICE_KEY) }] } } },
      { name: 'query', match: { pathPrefix: '/q' }, pool: 'default', auth: { apiKey: { query: 'api_key', keysFile } } },
      { name: 'open', match: {}, pool: 'default' },
    ],
  }, logger);
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });

  const ok = await curlAnswer(`${gw.url}/api/items`, ['-H', `X-Api-Key: ${ALICE_KEY}`, '-H', 'X-Auth-Subject: admin', '-H', 'X-Auth-Role: root']);
  t.equal(ok.status, 200, 'the right key: 200');
  const echo = ok.body as unknown as Echo;
  t.equal(echo.headers['x-auth-subject'], 'alice', 'the backend gets the key’s name, not the client’s X-Auth-Subject');
  t.equal(echo.headers['x-auth-role'], undefined, 'a client-sent X-Auth-* header is dropped');
  t.equal(echo.headers['x-api-key'], undefined, 'the key itself is not forwarded');

  const fromQuery = await curlAnswer(`${gw.url}/q/items?api_key=${BOB_KEY}&page=2`);
  t.equal(fromQuery.status, 200, 'the key from the keys file, in the query: 200');
  t.equal((fromQuery.body as unknown as Echo).url, '/q/items?page=2', 'the backend’s URL has no api_key');
  t.equal((fromQuery.body as unknown as Echo).headers['x-auth-subject'], 'bob');

  const open = await curlAnswer(`${gw.url}/open`, ['-H', 'X-Auth-Subject: admin']);
  t.equal(open.status, 200);
  t.equal((open.body as unknown as Echo).headers['x-auth-subject'], undefined, 'on a route without auth, a client’s X-Auth-Subject is dropped too');
  const reached = backend.arrivals.get('GET /api/items');

  const refused = [
    { name: 'no key', args: [], reason: 'missing', challenge: 'ApiKey realm="api", header="x-api-key"' },
    { name: 'a wrong key', args: ['-H', 'X-Api-Key: alice-guess'], reason: 'invalid', challenge: 'ApiKey realm="api", header="x-api-key", error="invalid_key"' },
    { name: 'bob’s key on alice’s route', args: ['-H', `X-Api-Key: ${BOB_KEY}`], reason: 'invalid', challenge: 'ApiKey realm="api", header="x-api-key", error="invalid_key"' },
    { name: 'a WebSocket handshake without a key', args: ['-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', '-H', 'Sec-WebSocket-Version: 13', '-H', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='], reason: 'missing', challenge: 'ApiKey realm="api", header="x-api-key"' },
  ];
  for (const c of refused) {
    const answer = await curlAnswer(`${gw.url}/api/items`, c.args);
    t.equal(answer.status, 401, `${c.name}: 401`);
    t.equal(answer.challenge, c.challenge, `${c.name}: WWW-Authenticate`);
    t.match(answer.body, { error: 'unauthorized' }, `${c.name}: the gateway's JSON error`);
  }
  t.equal((await curlAnswer(`${gw.url}/q/items?api_key=nope`)).challenge, 'ApiKey realm="query", query="api_key", error="invalid_key"', 'the query route’s challenge names the parameter');
  t.equal(backend.arrivals.get('GET /api/items'), reached, 'no refused request reached the backend');
  t.equal(await metricSum(gw.adminUrl, 'gateway_auth_rejections_total', { route: 'api', reason: 'missing' }), 2);
  t.equal(await metricSum(gw.adminUrl, 'gateway_auth_rejections_total', { route: 'api', reason: 'invalid' }), 2);

  const access = lines.filter((line) => line.component === 'access' && line.route === 'api' && line.status === 200);
  t.equal(access.length, 1, 'one access line for the admitted request');
  t.equal(access[0]?.subject, 'alice', 'the access line names the key');
  const everything = JSON.stringify(lines);
  t.notOk(everything.includes(ALICE_KEY) || everything.includes(BOB_KEY) || everything.includes('alice-guess'), 'no log line holds a key');
  const warned = lines.filter((line) => line.reason === 'invalid' && line.route === 'api');
  t.equal(warned.length, 1, 'two refusals of the same reason within a second: one log line');
  t.match(warned[0], { msg: 'route api: request refused (invalid)', client: '127.0.0.1', requestId: /.+/ });
});
