// The keep-alive race, every time: both backends close a reused connection as the next request arrives. With no
// other backend left to try, an idempotent request goes again to the same backend on a new connection, so curl
// sees only 200s; a POST, which may have been acted on, is not sent again.
import t from 'tap';
import { curlTimes } from './helpers/curl.js';
import { startScriptedBackend } from './helpers/fault-servers.js';
import { startGateway } from './helpers/gateway.js';

t.test('every backend closes reused sockets: GETs still all succeed', async (t) => {
  const backends = await Promise.all([startScriptedBackend('backend-1', 'close-reused'), startScriptedBackend('backend-2', 'close-reused')]);
  // Passive health off: this test is about the retry, not about the ejection the resets would cause.
  const gw = await startGateway({ backends: backends.map((b) => b.url), healthCheck: { enabled: false }, passiveHealth: { enabled: false } });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });

  const results = await curlTimes(`${gw.url}/hello`, 20);
  t.same(results.map((r) => r.status), Array(20).fill(200), 'all 20 GETs answered 200');
  const retries = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  t.match(retries, /gateway_retries_total\{reason="reset"\} [1-9]/, 'resets were retried (the race did happen)');
});

t.test('a POST on a reused socket that the backend closed is not sent again', async (t) => {
  const backend = await startScriptedBackend('backend-1', 'close-reused');
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, passiveHealth: { enabled: false } });
  t.teardown(async () => {
    await gw.close();
    await backend.stop();
  });

  const results = await curlTimes(`${gw.url}/hello`, 3, ['-X', 'POST', '--data', 'Hello']);
  // The cut connection is gone, so the third POST opens a new one and is answered.
  t.same(results.map((r) => r.status), [200, 502, 200], 'the POST on the reused socket fails: the backend may have seen it');
  t.equal(backend.arrivals.get('POST /hello'), 2, 'it was not sent again on a new connection');
});
