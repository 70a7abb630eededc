// `renderNginx` with pools and routes: nginx -t accepts it; one upstream per pool with its policy; the route table
// as maps picked in order; splits as split_clients; what nginx cannot read is refused with the reason.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderNginx } from '../src/render/nginx.js';
import { scratchDir } from './helpers/scratch-dir.js';

const config = (raw: Record<string, unknown>) => configSchema.parse(raw);
const ROUTED = config({
  pools: {
    api: { backends: [{ id: 'api-1', url: 'http://127.0.0.1:4001' }, { id: 'api-spare', url: 'http://127.0.0.1:4002', backup: true }], policy: 'consistent-hash', hashOn: 'cookie:session-id' },
    blue: { backends: ['http://127.0.0.1:4011'], policy: 'least-outstanding', retry: { retries: 1 } },
    green: { backends: ['http://127.0.0.1:4012'], policy: 'consistent-hash', hashOn: 'header:X-User' },
    idle: { backends: ['http://127.0.0.1:4013'] },
  },
  routes: [
    { name: 'api', match: { hosts: ['api.example.com', '*.api.example.com'], methods: ['GET', 'HEAD'] }, pool: 'api' },
    { name: 'exact', match: { path: '/v1.0/x' }, pool: 'blue', rateLimit: { rate: 10 } },
    { name: 'web', match: { pathPrefix: '/web/', headers: { 'x-canary': { regex: '^a"b\\d$' } } }, split: [{ pool: 'blue', weight: 71 }, { pool: 'green', weight: 29 }], sticky: { cookie: 'user' }, stripPrefix: true },
    { name: 'rest', split: [{ pool: 'blue', weight: 1 }, { pool: 'green', weight: 2 }] },
    { name: 'never', pool: 'idle' },
  ],
});

function nginxTest(text: string): string {
  const dir = scratchDir('render-nginx-routes');
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'nginx.conf'), text);
  return execFileSync('nginx', ['-t', '-p', dir, '-c', 'nginx.conf', '-e', 'stderr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

t.test('nginx -t accepts routes, splits and every policy', async (t) => {
  t.doesNotThrow(() => nginxTest(renderNginx(ROUTED)));
  const alone = config({ pools: { a: { backends: ['http://127.0.0.1:4001'] }, b: { backends: ['http://127.0.0.1:4002'] } }, routes: [{ name: 'all', split: [{ pool: 'a', weight: 1 }, { pool: 'b', weight: 1 }] }] });
  t.doesNotThrow(() => nginxTest(renderNginx(alone)), 'a table whose first route matches everything');
});

t.test('one upstream per routed pool, with its policy', async (t) => {
  const text = renderNginx(ROUTED);
  t.match(text, /upstream pool_api \{[^}]*hash \$gateway_cookie_session_2did consistent;/, 'a cookie with "-" is read by a map');
  t.match(text, /map \$http_cookie \$gateway_cookie_session_2did \{\n\s+"~\(\?:\^\|;\)\\\\s\*session-id=/);
  t.notMatch(text, /# api-spare/, "nginx's hash has no backups");
  t.match(text, /upstream pool_blue \{[^}]*least_conn;/);
  t.match(text, /upstream pool_green \{[^}]*hash \$http_x_user consistent;/);
  t.notMatch(text, /pool_idle/, 'a pool no route reaches is left out');
  t.match(text, /location = \/gateway-pool\/blue \{\n\s+internal;\n\s+proxy_pass http:\/\/pool_blue\$gateway_upstream_uri;[^}]*proxy_next_upstream_tries 2;/, "the pool's own retries");
});

t.test('routes are maps picked in order, first match wins', async (t) => {
  const text = renderNginx(ROUTED);
  t.match(text, /map \$host \$gateway_route_1 \{\n\s+hostnames;\n\s+api\.example\.com \$gateway_route_1_2;\n\s+\*\.api\.example\.com \$gateway_route_1_2;/);
  t.match(text, /map \$request_method \$gateway_route_1_2 \{\n\s+"~\^\(\?:GET\|HEAD\)\$" 1;/);
  t.match(text, /"~\^\/v1\\\\\.0\/x\(\?:\\\\\?\|\$\)" 1;/, 'the exact path, regex-escaped, query allowed');
  t.match(text, /map \$http_x_canary \$gateway_route_3_2 \{\n\s+"" 0;\n\s+"~\^a\\"b\\\\d\$" 1;/, 'the header regex as written, quoted for nginx');
  t.match(text, /map "\$\{gateway_route_1\}\$\{gateway_route_2\}\$\{gateway_route_3\}" \$gateway_route \{\n\s+"~\^1" 1;\n\s+"~\^01" 2;\n\s+"~\^001" 3;\n\s+default 4;/);
  t.notMatch(text, /^    # route never$/m, 'a route after one that matches everything is left out');
  t.match(text, /# - Left out: route never/);
  t.match(text, /return 404 '\{"error":"no_route","message":"[^"]+","requestId":"\$gateway_request_id"\}';/);
});

t.test('splits are split_clients; a sticky one keys on its cookie when the request has it', async (t) => {
  const text = renderNginx(ROUTED);
  t.match(text, /map \$cookie_user \$gateway_split_key_3 \{\n\s+"" \$request_id;\n\s+default \$cookie_user;/);
  t.match(text, /split_clients "\$gateway_split_key_3" \$gateway_split_3 \{\n\s+71% blue;\n\s+\* green;/, '71 % exactly (no float rounding down to 70.99)');
  t.match(text, /split_clients "\$request_id" \$gateway_split_4 \{\n\s+33\.33% blue;\n\s+\* green;/);
  t.match(text, /"~\^3 \/web\(\/\.\*\)\$" \$1;\n\s+"~\^3 \/web\(\\\\\?\.\*\)\?\$" \/\$1;/, 'stripPrefix from the raw request URI');
});

t.test('the header says what routing becomes and what nginx cannot do', async (t) => {
  const text = renderNginx(ROUTED);
  t.match(text, /#   route web: paths under \/web \(prefix stripped\); header x-canary ~ \/\^a"b\\d\$\/ → split blue 71 \/ green 29, sticky on cookie:user/);
  t.match(text, /# - Changing a split at runtime \(PUT \/routes\/:name\/split/);
  t.match(text, /# - consistent-hash \(api, green\) is nginx's ketama ring/);
  t.match(text, /# - Backup servers of api are left out/);
  t.match(text, /# - Rate limits, 429 once a client has used its burst:\n#   route exact: 10 at once, 10\/s over time, per client address\./);
  t.match(text, /# - Left out: pool idle, which no route sends to\./);
});

t.test('what nginx cannot read is refused, naming it', async (t) => {
  const pools = { a: { backends: ['http://127.0.0.1:4001'] }, A: { backends: ['http://127.0.0.1:4002'] } };
  t.throws(() => renderNginx(config({ pools, routes: [{ name: 'x', split: [{ pool: 'a', weight: 1 }, { pool: 'A', weight: 1 }] }] })), { name: 'RenderError', message: /pools a and A differ only in case/ });
  const underscore = config({ pools: { a: { backends: ['http://127.0.0.1:4001'] } }, routes: [{ name: 'x', match: { headers: { x_api_key: 'k' } }, pool: 'a' }] });
  t.throws(() => renderNginx(underscore), { name: 'RenderError', message: /nginx ignores the header x_api_key/ });
});

t.test('a single pool with a policy keeps the one-pool layout', async (t) => {
  const text = renderNginx(config({ pools: { default: { backends: ['http://127.0.0.1:4001'], policy: 'least-outstanding' } } }));
  t.match(text, /upstream gateway_backends \{[^}]*least_conn;/);
  t.match(text, /location \/ \{\n\s+proxy_pass http:\/\/gateway_backends;/);
  t.match(text, /# The same pool as the gateway: least-outstanding over 1 backend\(s\)/);
  t.doesNotThrow(() => nginxTest(text));
});
