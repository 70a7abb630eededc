// Bad registrations get a JSON error naming the field, with the right status, and change nothing:
// not http(s), unparsable, not an origin, the gateway itself (a loop), bad weight, over-size or non-JSON body,
// a full pool, a URL already in the pool under another source.
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway } from './helpers/gateway.js';
import { adminCall, TEST_TOKEN, STEADY_HEALTH } from './helpers/admin.js';

t.test('bad registrations are refused with a JSON error and no state change', async (t) => {
  const [staticBackend, other] = await startBackends(2);
  const gw = await startGateway({
    backends: [staticBackend!.url],
    healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN, bodyLimitBytes: 1024 },
    registry: { maxBackends: 2 },
  });
  t.teardown(async () => {
    await gw.close();
    await staticBackend!.stop();
    await other!.stop();
  });
  const trafficPort = new URL(gw.url).port;
  const adminPort = new URL(gw.adminUrl).port;
  const register = (body: unknown, contentType?: string) => adminCall(gw.adminUrl, 'POST', '/registry', { token: TEST_TOKEN, body, contentType });

  const cases: { name: string; body: unknown; contentType?: string; status: number; error: string; field?: string }[] = [
    { name: 'ftp URL', body: { url: 'ftp://127.0.0.1:21' }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'unparsable URL', body: { url: 'not a url' }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'URL with a path', body: { url: `${other!.url}/api` }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'URL with credentials', body: { url: `http://user:pw@127.0.0.1:${other!.port}` }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'missing url', body: { weight: 2 }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'the traffic listener (loop)', body: { url: `http://127.0.0.1:${trafficPort}` }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'the traffic listener as localhost (loop)', body: { url: `http://localhost:${trafficPort}` }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'the admin listener (loop)', body: { url: `http://127.0.0.1:${adminPort}` }, status: 400, error: 'invalid_registration', field: 'url' },
    { name: 'weight 0', body: { url: other!.url, weight: 0 }, status: 400, error: 'invalid_registration', field: 'weight' },
    { name: 'weight as text', body: { url: other!.url, weight: 'heavy' }, status: 400, error: 'invalid_registration', field: 'weight' },
    { name: 'unknown field', body: { url: other!.url, colour: 'red' }, status: 400, error: 'invalid_registration', field: 'colour' },
    { name: 'array body', body: [other!.url], status: 400, error: 'invalid_registration', field: 'body' },
    { name: 'invalid JSON', body: '{"url":', status: 400, error: 'invalid_json' },
    { name: 'text/plain body', body: other!.url, contentType: 'text/plain', status: 415, error: 'unsupported_media_type' },
    { name: 'over-size body', body: { url: other!.url, meta: { note: 'x'.repeat(200) , more: 'y'.repeat(250), again: 'z'.repeat(250), last: 'w'.repeat(250) } }, status: 413, error: 'body_too_large' },
    { name: 'URL of a static backend', body: { url: staticBackend!.url }, status: 409, error: 'already_in_pool' },
  ];
  for (const c of cases) {
    const response = await register(c.body, c.contentType);
    t.equal(response.status, c.status, `${c.name}: ${c.status}`);
    t.equal(response.body.error, c.error, `${c.name}: error ${c.error}`);
    if (c.field) t.equal(response.body.field, c.field, `${c.name}: names the field ${c.field}`);
    t.type(response.body.message, 'string', `${c.name}: says why (${response.body.message})`);
  }
  t.same(gw.gateway.loadBalancer.list().map((member) => member.id), ['backend-1'], 'the pool is unchanged');

  const accepted = await register({ url: other!.url });
  t.equal(accepted.status, 201, 'a good registration is accepted');
  const third = await register({ url: 'http://127.0.0.1:9' });
  t.equal(third.status, 409, 'past registry.maxBackends the pool is full');
  t.equal(third.body.error, 'pool_full');
  t.equal(gw.gateway.loadBalancer.list().length, 2, 'and nothing was added');

  const unknown = await adminCall(gw.adminUrl, 'PUT', '/pool/nope/weight', { token: TEST_TOKEN, body: { weight: 2 } });
  t.equal(unknown.status, 404, 'weight of an unknown backend: 404');
  const badWeight = await adminCall(gw.adminUrl, 'PUT', '/pool/backend-1/weight', { token: TEST_TOKEN, body: { weight: 5000 } });
  t.match(badWeight, { status: 400, body: { error: 'invalid_weight', field: 'weight' } }, 'weight out of range: 400 naming the field');
  const drainUnknown = await adminCall(gw.adminUrl, 'POST', '/pool/nope/drain', { token: TEST_TOKEN });
  t.equal(drainUnknown.status, 404, 'draining an unknown backend: 404');
  const deleteStatic = await adminCall(gw.adminUrl, 'DELETE', '/registry/backend-1', { token: TEST_TOKEN });
  t.equal(deleteStatic.status, 404, 'a static backend cannot be deregistered');
  const nowhere = await adminCall(gw.adminUrl, 'GET', '/nowhere');
  t.match(nowhere, { status: 404, body: { error: 'not_found' } }, 'unknown admin paths: JSON 404');
});
