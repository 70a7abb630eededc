// With no backend available the gateway answers 503 at once: JSON body with the request id, Retry-After: 1.
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';

t.test('every backend down → fast 503 JSON with Retry-After, never a hang or a 500', async (t) => {
  const backends = await startBackends(2);
  const gw = await startGateway({ backends: backends.map((b) => b.url) });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.hasAvailable);
  await Promise.all(backends.map((b) => b.stop()));
  await waitFor(() => !gw.gateway.loadBalancer.hasAvailable);

  const started = performance.now();
  const response = await request(`${gw.url}/hello`, { headers: { 'x-request-id': 'trace-me-42' } });
  const elapsed = performance.now() - started;
  t.equal(response.statusCode, 503);
  t.equal(response.headers['retry-after'], '1');
  t.match(response.headers['content-type'], /application\/json/);
  t.match(await response.body.json(), { error: 'no_available_backend', message: /.+/, requestId: 'trace-me-42' });
  t.ok(elapsed < 100, `answered in ${elapsed.toFixed(1)} ms`);

  const post = await request(`${gw.url}/hello`, { method: 'POST', body: 'Hello' });
  t.equal(post.statusCode, 503, 'a request with a body gets the same answer');
  const body = (await post.body.json()) as { requestId: string };
  t.match(body.requestId, /^[0-9a-f-]{36}$/, 'a generated request id when the client sent none');
});

t.test('a backend that starts unknown takes no traffic until its first good probe', async (t) => {
  const gw = await startGateway({ backends: ['http://127.0.0.1:9'], healthCheck: { intervalMs: 5_000, timeoutMs: 100 } });
  t.teardown(() => gw.close());
  const response = await request(`${gw.url}/hello`);
  await response.body.text();
  t.equal(response.statusCode, 503);
});
