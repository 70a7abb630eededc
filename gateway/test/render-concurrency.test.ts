// The overload caps in the drop-ins: concurrency.maxPerBackend becomes nginx max_conns and HAProxy's server
// maxconn with the pool's queue timeout; limits.maxClientConnections becomes limit_conn (503) and the frontend's
// maxconn. Both checkers accept the output, and each header says what the target does differently.
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderHaproxy } from '../src/render/haproxy.js';
import { renderNginx } from '../src/render/nginx.js';
import { haproxyCheck, nginxTest } from './helpers/drop-in-checkers.js';

const CAPPED = configSchema.parse({
  limits: { maxClientConnections: 500 },
  pools: {
    api: { backends: ['http://127.0.0.1:4001', 'http://127.0.0.1:4002'], concurrency: { maxPerBackend: 8, queueTimeoutMs: 750 } },
    web: { backends: ['http://127.0.0.1:4003'] },
  },
  routes: [
    { name: 'api', match: { pathPrefix: '/api' }, pool: 'api' },
    { name: 'web', pool: 'web' },
  ],
});
const UNCAPPED = configSchema.parse({ backends: ['http://127.0.0.1:4001'] });


t.test('nginx -t and haproxy -c accept the caps without a warning', async (t) => {
  t.equal(nginxTest(renderNginx(CAPPED)), '', 'nginx -t says nothing (-q)');
  const output = haproxyCheck(renderHaproxy(CAPPED));
  t.match(output, /valid/);
  t.notMatch(output, /WARNING/);
});

t.test('nginx: max_conns on the capped pool only; limit_conn over the whole listener, answered 503', async (t) => {
  const text = renderNginx(CAPPED);
  t.match(text, /upstream pool_api \{[^}]*server 127\.0\.0\.1:4001 [^;]*max_conns=8;[^}]*server 127\.0\.0\.1:4002 [^;]*max_conns=8;/);
  t.notMatch(text, /server 127\.0\.0\.1:4003 [^;]*max_conns/, 'the uncapped pool has no cap');
  t.match(text, /limit_conn_zone \$server_port zone=gateway_client_connections:1m;/);
  t.match(text, /limit_conn gateway_client_connections 500;\n\s+limit_conn_status 503;/);
  t.match(text, /nginx OSS has no queue \(`queue` is nginx Plus\)/, 'the header says what nginx cannot do');
  t.notMatch(renderNginx(UNCAPPED), /max_conns|limit_conn/, 'nothing without caps');
});

t.test('HAProxy: maxconn per server and the queue timeout for the capped pool; maxconn on the frontend', async (t) => {
  const text = renderHaproxy(CAPPED);
  t.match(text, /backend pool_api\n(?:.*\n)*?\s+timeout queue 750ms\n\s+default-server maxconn 8 /);
  t.notMatch(text, /backend pool_web\n(?:(?!backend ).*\n)*?\s+timeout queue/, 'the uncapped pool keeps the default queue timeout');
  t.match(text, /frontend gateway\n\s+# limits\.maxClientConnections\n\s+maxconn 500\n/);
  t.match(text, /HAProxy has no cap on the length of that queue/, 'the header says what HAProxy cannot do');
});
