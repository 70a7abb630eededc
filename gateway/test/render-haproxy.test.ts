// `renderHaproxy` writes a config that HAProxy 2.6 itself accepts (haproxy -c), with the same health checks,
// retries on another server only for safe failures, weights scaled into HAProxy's range, and a header that
// names what HAProxy cannot do.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderHaproxy } from '../src/render/haproxy.js';
import { scratchDir } from './helpers/scratch-dir.js';

const config = (raw: Record<string, unknown>) => configSchema.parse(raw);
const POOL = config({
  backends: [
    { url: 'http://127.0.0.1:3001', weight: 5 },
    'http://127.0.0.1:3002',
    { url: 'http://127.0.0.1:3003', id: 'spare', backup: true },
  ],
});

function haproxyCheck(text: string): string {
  const file = join(scratchDir('render-haproxy'), 'haproxy.cfg');
  writeFileSync(file, text);
  return execFileSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

t.test('haproxy -c accepts the rendered config', async (t) => {
  t.match(haproxyCheck(renderHaproxy(POOL)), /valid/);
  for (const committed of ['haproxy.cfg', 'haproxy.compose.cfg']) {
    t.match(haproxyCheck(readFileSync(new URL(`../../haproxy/${committed}`, import.meta.url), 'utf8')), /valid/, `the committed haproxy/${committed}`);
  }
  t.match(haproxyCheck(renderHaproxy(config({ backends: ['https://api.internal'], healthCheck: { enabled: false } }), { port: 18091, statsPort: 18404 })), /valid/);
});

t.test('servers keep weight and backup; checks use the gateway probe settings', async (t) => {
  const text = renderHaproxy(POOL);
  t.match(text, /server backend-1 127\.0\.0\.1:3001 weight 5\n/);
  t.match(text, /server spare 127\.0\.0\.1:3003 weight 1 backup\n/);
  t.match(text, /http-check send meth GET uri \/health ver HTTP\/1\.1/);
  t.match(text, /default-server maxconn 128 check inter 1s fall 2 rise 2 observe layer7 error-limit 3 on-error mark-down/);
  t.match(text, /timeout check 500ms/);
  t.match(text, /bind 0\.0\.0\.0:8091\n/, 'the drop-in port by default');
  t.match(text, /http-request use-service prometheus-exporter if \{ path \/metrics \}/);
  t.match(text, /bind 0\.0\.0\.0:8404\n/, 'stats and metrics on 8404');
});

t.test('retries go to another server, and beyond a failed connection only for idempotent methods', async (t) => {
  const text = renderHaproxy(POOL);
  t.match(text, /retries 2\n/);
  t.match(text, /option redispatch 1\n/);
  t.match(text, /retry-on conn-failure empty-response response-timeout 502 503 504\n/);
  t.match(text, /acl idempotent method GET HEAD OPTIONS PUT DELETE TRACE\n\s+http-request disable-l7-retry unless idempotent/);
});

t.test('weights above 256 are scaled down in proportion', async (t) => {
  const text = renderHaproxy(config({ backends: [{ url: 'http://a.internal', weight: 1000 }, { url: 'http://b.internal', weight: 500 }] }));
  t.match(text, /server backend-1 a\.internal:80 weight 256\n/);
  t.match(text, /server backend-2 b\.internal:80 weight 128\n/);
  t.match(text, /# - Weights above 256: all weights are scaled by 0\.2560/);
});

t.test('the header says what HAProxy cannot express', async (t) => {
  const text = renderHaproxy(POOL);
  t.match(text, /without it HAProxy retries the same server/);
  t.match(text, /# - Self-registration with TTL heartbeats/);
  t.match(text, /no time window/);
});
