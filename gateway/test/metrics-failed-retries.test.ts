// A request whose every try failed is still counted: the 502 the client got appears in gateway_requests_total
// against the last backend tried, and the retries it took appear in gateway_retries_total.
import t from 'tap';
import { request } from 'undici';
import { startGateway } from './helpers/gateway.js';
import { scrape } from './helpers/observability.js';
import { sum } from './helpers/prometheus-text.js';

t.test('a 502 after exhausted retries is counted once, against the last backend tried', async (t) => {
  // Nothing listens on ports 1 and 2; probes and passive ejection are off so both stay candidates.
  const gw = await startGateway({
    backends: [{ url: 'http://127.0.0.1:1', id: 'refusing-1' }, { url: 'http://127.0.0.1:2', id: 'refusing-2' }],
    healthCheck: { enabled: false },
    passiveHealth: { enabled: false },
  });
  t.teardown(() => gw.close());
  const response = await request(`${gw.url}/hello`);
  await response.body.dump();
  t.equal(response.statusCode, 502);

  const { exposition } = await scrape(gw.adminUrl);
  t.equal(sum(exposition, 'gateway_requests_total'), 1, 'the request is counted once');
  t.equal(sum(exposition, 'gateway_requests_total', { code: '502' }), 1, 'with the status the client got');
  t.equal(sum(exposition, 'gateway_no_backend_total'), 0, 'it is not a no-backend 503');
  t.equal(sum(exposition, 'gateway_retries_total', { reason: 'connect' }), 1, 'exactly the one retry made is counted, not one with nowhere to go');
});
