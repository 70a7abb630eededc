// Rate limits in the drop-ins: nginx -t and haproxy -c accept them without a warning; nginx's burst is one below
// the gateway's (nginx always passes the first request), HAProxy refuses once the count passes the burst; a header
// key falls back to the client's address; fractional rates become requests per minute; the headers say how each
// target counts differently.
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderHaproxy } from '../src/render/haproxy.js';
import { renderNginx } from '../src/render/nginx.js';
import { haproxyCheck, nginxTest } from './helpers/drop-in-checkers.js';

const config = (raw: Record<string, unknown>) => configSchema.parse(raw);
const ROUTED = config({
  pools: { api: { backends: ['http://127.0.0.1:4001'] }, web: { backends: ['http://127.0.0.1:4002'] } },
  routes: [
    { name: 'api', match: { pathPrefix: '/api' }, pool: 'api', rateLimit: { rate: 0.7, burst: 3 } },
    { name: 'by-client', match: { pathPrefix: '/c' }, pool: 'api', rateLimit: { rate: 5, burst: 10, key: 'header:X-Client-Id', store: 'redis' } },
    { name: 'web', pool: 'web' },
  ],
});
const SINGLE = config({ backends: ['http://127.0.0.1:4001'], routes: [{ name: 'all', pool: 'default', rateLimit: { rate: 10, burst: 20 } }] });


t.test('both targets accept limited routes, routed and single, without a warning', async (t) => {
  for (const [name, parsed] of [['routed', ROUTED], ['single', SINGLE]] as const) {
    t.equal(nginxTest(renderNginx(parsed)), '', `${name}: nginx -t says nothing (-q)`);
    const output = haproxyCheck(renderHaproxy(parsed));
    t.match(output, /valid/, `${name}: haproxy -c`);
    t.notMatch(output, /WARNING/, `${name}: no HAProxy warning`);
  }
});

t.test('nginx: one zone per route, keyed only for its route; burst one below the gateway\'s, nodelay, 429', async (t) => {
  const text = renderNginx(ROUTED);
  t.match(text, /map \$gateway_route \$gateway_limit_key_1 \{\n\s+1 \$binary_remote_addr;\n\s+default "";\n\s+\}\n\s+limit_req_zone \$gateway_limit_key_1 zone=gateway_limit_api:10m rate=42r\/m;/, '0.7/s is 42 per minute');
  t.match(text, /map \$http_x_client_id \$gateway_limit_client_2 \{\n\s+"" "ip:\$remote_addr";\n\s+default "h:\$http_x_client_id";/, 'no header: the client address');
  t.match(text, /limit_req_zone \$gateway_limit_key_2 zone=gateway_limit_by-client:10m rate=5r\/s;/);
  t.match(text, /limit_req_status 429;\n\s+limit_req zone=gateway_limit_api burst=2 nodelay;\n\s+limit_req zone=gateway_limit_by-client burst=9 nodelay;/);
  t.match(renderNginx(SINGLE), /limit_req_zone \$binary_remote_addr zone=gateway_limit_all:10m rate=10r\/s;/, 'a single catch-all route needs no route map');
});

t.test('HAProxy: a stick table per route over the gateway window; track, then deny 429 past the burst', async (t) => {
  const text = renderHaproxy(ROUTED);
  t.match(text, /backend limit_api\n[^\n]*\n\s+stick-table type ipv6 size 100k expire 5s store http_req_rate\(5s\)/, 'burst 3 at 0.7/s: a 5 s window');
  t.match(text, /backend limit_by-client\n[^\n]*\n\s+stick-table type string len 128 size 100k expire 2s store http_req_rate\(2s\)/);
  t.match(text, /http-request track-sc0 src table limit_api if \{ var\(txn\.route\) -m str api \}\n\s+http-request deny deny_status 429 [^\n]*hdr retry-after 5 [^\n]*"error":"rate_limited"[^\n]* if \{ var\(txn\.route\) -m str api \} \{ sc_http_req_rate\(0\) gt 3 \}/);
  t.match(text, /set-var-fmt\(txn\.limit_key\) 'h:%\[req\.fhdr\(X-Client-Id,1\)\]' if \{ var\(txn\.route\) -m str by-client \} \{ req\.fhdr\(X-Client-Id,1\) -m found \}/);
  t.match(text, /set-var-fmt\(txn\.limit_key\) 'ip:%\[src\]' if \{ var\(txn\.route\) -m str by-client \} !\{ var\(txn\.limit_key\) -m found \}/);
  t.ok(text.indexOf('track-sc0') > text.indexOf('http-request return status 404'), 'a request without a route is not counted');
});

t.test('the headers list the limits and say what each target cannot do', async (t) => {
  for (const text of [renderNginx(ROUTED), renderHaproxy(ROUTED)]) {
    t.match(text, /# - Rate limits, 429 once a client has used its burst:\n#   route api: 3 at once, 0\.7\/s over time, per client address\.\n#   route by-client: 10 at once, 5\/s over time, per X-Client-Id\./);
    t.match(text, /two instances each let the whole limit through/);
    t.match(text, /Route by-client shares one count in Redis among gateways \(store: redis\); this file cannot/);
    t.notMatch(text, /Left out: the rate limits/);
  }
  t.match(renderNginx(ROUTED), /limit_req, a leaky bucket: after the burst a client gets one request every 1\/rate s/);
  t.match(renderHaproxy(ROUTED), /stick tables counting http_req_rate over the gateway's window/);
  t.match(renderHaproxy(ROUTED), /a client that keeps sending faster than the limit stays refused/);
});

t.test('a route with auth: the header says it is refused, not checked; a limit keyed on the identity counts by address', async (t) => {
  const guarded = config({
    backends: ['http://127.0.0.1:4001'],
    routes: [
      { name: 'keyed', match: { pathPrefix: '/k' }, pool: 'default', auth: { apiKey: { header: 'x-api-key', keys: [{ name: 'team-a', sha256: 'a'.repeat(64) }] } }, rateLimit: { rate: 5, key: 'api-key' } },
      { name: 'rest', pool: 'default' },
    ],
  });
  for (const text of [renderNginx(guarded), renderHaproxy(guarded)]) {
    t.match(text, /# - Not checked: the authentication of route keyed \(API key\)\. This file refuses every request to it with the/);
    t.match(text, /#   Route keyed \(api-key\): this file cannot verify the identity, so it counts per client address\./);
  }
  t.match(renderNginx(guarded), /map \$gateway_route \$gateway_limit_key_1 \{\n\s+1 \$binary_remote_addr;/);
  t.match(renderHaproxy(guarded), /http-request track-sc0 src table limit_keyed if \{ var\(txn\.route\) -m str keyed \}/);
  t.match(renderNginx(guarded), /map \$gateway_route \$gateway_auth_challenge \{\n\s+1 'ApiKey realm="keyed"';/, 'nginx: the guarded route has its challenge');
  t.match(renderHaproxy(guarded), /http-request return status 401 .* hdr www-authenticate 'ApiKey realm="keyed"' .* if \{ var\(txn\.route\) -m str keyed \}/, 'HAProxy: the guarded route is refused');
});
