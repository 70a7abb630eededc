// `renderNginx` writes a config that nginx 1.22 itself accepts (nginx -t), carries the pool's weights and backup
// flags, pins the gateway's timeouts and retry rules, and names in its header what nginx OSS cannot do.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderNginx } from '../src/render/nginx.js';
import { RenderError } from '../src/render/pool-settings.js';
import { scratchDir } from './helpers/scratch-dir.js';

const config = (raw: Record<string, unknown>) => configSchema.parse(raw);
const POOL = config({
  backends: [
    { url: 'http://127.0.0.1:3001', weight: 5 },
    'http://127.0.0.1:3002',
    { url: 'http://127.0.0.1:3003', id: 'spare', backup: true },
  ],
});

/** Runs `nginx -t` on the text under its own prefix dir; throws with nginx's message when it is rejected. */
function nginxTest(text: string): string {
  const dir = scratchDir('render-nginx');
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'nginx.conf'), text);
  return execFileSync('nginx', ['-t', '-p', dir, '-c', 'nginx.conf', '-e', 'stderr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

t.test('nginx -t accepts the rendered config', async (t) => {
  t.doesNotThrow(() => nginxTest(renderNginx(POOL)));
  t.doesNotThrow(() => nginxTest(readFileSync(new URL('../../nginx/nginx.conf', import.meta.url), 'utf8')), 'the committed nginx/nginx.conf');
  t.doesNotThrow(() => nginxTest(renderNginx(config({ listen: { host: '127.0.0.1' }, backends: ['http://127.0.0.1:3001'], healthCheck: { enabled: false } }), { port: 18090 })));
});

t.test('servers keep their weight and backup flag, with passive ejection', async (t) => {
  const text = renderNginx(POOL);
  t.match(text, /server 127\.0\.0\.1:3001 weight=5 max_fails=3 fail_timeout=10s;\s+# backend-1/);
  t.match(text, /server 127\.0\.0\.1:3003 weight=1 max_fails=3 fail_timeout=10s backup;\s+# spare/);
  t.match(text, /listen 8090;/, 'the drop-in port by default');
});

t.test('timeouts, keep-alive and retries are pinned to the gateway defaults', async (t) => {
  const text = renderNginx(POOL);
  for (const line of [
    'proxy_connect_timeout 1s;',
    'proxy_read_timeout 30s;',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'keepalive 128;',
    'proxy_next_upstream error timeout http_502 http_503 http_504;',
    'proxy_next_upstream_tries 3;',
    'proxy_next_upstream_timeout 5s;',
  ]) t.ok(text.includes(line), line);
  t.notMatch(text, /proxy_next_upstream [^\n]*non_idempotent/, 'POST, LOCK and PATCH are never resent once sent');
});

t.test('the header says what nginx OSS cannot express', async (t) => {
  const text = renderNginx(POOL);
  t.match(text, /# - Active health checks \(GET \/health every 1 s, timeout 500 ms, fall 2, rise 2\): none\./);
  t.match(text, /# - Runtime drain, enable and weight changes, self-registration with TTL heartbeats/);
  t.match(text, /# - No available backend answers 502/);
});

t.test('a pool mixing http and https cannot be one upstream group', async (t) => {
  t.throws(() => renderNginx(config({ backends: ['http://a.internal:80', 'https://b.internal:443'] })), RenderError);
});

t.test('a config without backends has nothing to render', async (t) => {
  t.throws(() => renderNginx(config({})), { name: 'RenderError', message: /no backends/ });
});
