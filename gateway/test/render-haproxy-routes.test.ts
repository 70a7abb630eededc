// `renderHaproxy` with pools and routes: haproxy -c accepts it; one backend per pool with its balance algorithm;
// ACLs and ordered set-var rules name the first route that matches; splits draw once into txn.split.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderHaproxy } from '../src/render/haproxy.js';
import { scratchDir } from './helpers/scratch-dir.js';

const config = (raw: Record<string, unknown>) => configSchema.parse(raw);
const ROUTED = config({
  pools: {
    api: { backends: [{ id: 'api-1', url: 'http://127.0.0.1:4001', weight: 512 }, { id: 'api-spare', url: 'http://127.0.0.1:4002', backup: true }], policy: 'consistent-hash', hashOn: 'cookie:session-id' },
    blue: { backends: ['http://127.0.0.1:4011'], policy: 'least-outstanding', retry: { retries: 1 } },
    green: { backends: ['http://127.0.0.1:4012'], policy: 'consistent-hash', hashOn: 'path' },
    ip: { backends: ['http://127.0.0.1:4013'], policy: 'consistent-hash', hashOn: 'client-ip' },
    hdr: { backends: ['http://127.0.0.1:4014'], policy: 'consistent-hash', hashOn: 'header:X-User' },
  },
  routes: [
    { name: 'api', match: { hosts: ['api.example.com', '*.api.example.com'], methods: ['GET', 'HEAD'] }, pool: 'api' },
    { name: 'exact', match: { path: '/v1.0/x' }, pool: 'ip' },
    { name: 'web', match: { pathPrefix: '/web/', headers: { 'x-canary': { regex: "^a'b \\d$" }, 'x-plain': 'yes sir' } }, split: [{ pool: 'blue', weight: 80 }, { pool: 'green', weight: 20 }, { pool: 'hdr', weight: 0 }], sticky: { cookie: 'user' }, stripPrefix: true },
    { name: 'rest', split: [{ pool: 'blue', weight: 1 }, { pool: 'hdr', weight: 2 }] },
  ],
});

/** What haproxy -c says on stdout and stderr, where its warnings go. */
function haproxyCheck(text: string): string {
  const file = join(scratchDir('render-haproxy-routes'), 'haproxy.cfg');
  writeFileSync(file, text);
  const result = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

t.test('haproxy -c accepts routes, splits and every policy, without a warning', async (t) => {
  const output = haproxyCheck(renderHaproxy(ROUTED));
  t.match(output, /valid/);
  t.notMatch(output, /WARNING/);
});

t.test('one backend per pool, with its balance algorithm', async (t) => {
  const text = renderHaproxy(ROUTED);
  t.match(text, /backend pool_api\n[^\n]*\n\s+balance hash req\.cook\(session-id\)\n\s+hash-type consistent\n/);
  t.match(text, /server api-1 127\.0\.0\.1:4001 weight 256\n\s+server api-spare 127\.0\.0\.1:4002 weight 1 backup\n/, 'weights scaled per pool, backups kept');
  t.match(text, /backend pool_blue\n[^\n]*\n\s+balance leastconn\n[^]*?retries 1\n/, "the pool's own retries");
  t.match(text, /backend pool_green\n[^\n]*\n\s+balance uri whole\n\s+hash-type consistent/, 'path: the path and its query');
  t.match(text, /backend pool_ip\n[^\n]*\n\s+balance source\n/);
  t.match(text, /backend pool_hdr\n[^\n]*\n\s+balance hdr\(X-User\)\n/);
});

t.test('ACLs and ordered set-var rules pick the first route that matches', async (t) => {
  const text = renderHaproxy(ROUTED);
  t.match(text, /acl route_api_host req\.hdr\(host\),host_only -m str api\.example\.com\n\s+acl route_api_host req\.hdr\(host\),host_only -m end \.api\.example\.com\n/);
  t.match(text, /acl route_exact_path path -m str \/v1\.0\/x\n/);
  t.match(text, /acl route_web_path path -m str \/web\n\s+acl route_web_path path_beg \/web\/\n/, 'whole segments: /web itself or under /web/');
  t.match(text, /acl route_web_header_1 req\.fhdr\(x-canary,1\) -m reg '\^a'\\''b \\d\$'\n/, 'the regex strongly quoted, its quote spliced in');
  t.match(text, /acl route_web_header_2 req\.fhdr\(x-plain,1\) -m str 'yes sir'\n/);
  t.match(text, /set-var\(txn\.route\) str\(api\) if route_api_host route_api_method\n\s+http-request set-var\(txn\.route\) str\(exact\) if !\{ var\(txn\.route\) -m found \} route_exact_path\n/);
  t.match(text, /set-var\(txn\.route\) str\(rest\) if !\{ var\(txn\.route\) -m found \}\n/, 'a route without matchers takes the rest');
  t.match(text, /http-request return status 404 content-type "application\/json; charset=utf-8" hdr cache-control no-store lf-string '\{"error":"no_route",[^']*"requestId":"%\[req\.hdr\(x-request-id\)\]"\}' unless \{ var\(txn\.route\) -m found \}/);
  t.match(text, /http-request replace-path '\^\/web\/\?\(\.\*\)\$' '\/\\1' if \{ var\(txn\.route\) -m str web \}/);
});

t.test('a split draws once per request and gives each side its range', async (t) => {
  const text = renderHaproxy(ROUTED);
  t.match(text, /set-var\(txn\.split\) req\.cook\(user\),xxh32,mod\(100\) if \{ var\(txn\.route\) -m str web \}\n\s+http-request set-var\(txn\.split\) rand\(100\) if \{ var\(txn\.route\) -m str web \} !\{ var\(txn\.split\) -m found \}\n/);
  t.match(text, /use_backend pool_blue if \{ var\(txn\.route\) -m str web \} \{ var\(txn\.split\) -m int lt 80 \}\n\s+use_backend pool_green if \{ var\(txn\.route\) -m str web \}\n/);
  t.notMatch(text, /use_backend pool_hdr if \{ var\(txn\.route\) -m str web \}/, 'a side of weight 0 takes nothing');
  t.match(text, /set-var\(txn\.split\) rand\(3\) if \{ var\(txn\.route\) -m str rest \}\n/);
  t.match(text, /use_backend pool_blue if \{ var\(txn\.route\) -m str rest \} \{ var\(txn\.split\) -m int lt 1 \}\n/);
});

t.test('the header says what routing becomes and what HAProxy cannot do', async (t) => {
  const text = renderHaproxy(ROUTED);
  t.match(text, /#   route api: hosts api\.example\.com, \*\.api\.example\.com; methods GET, HEAD → pool api\n/);
  t.match(text, /# - Changing a split at runtime \(PUT \/routes\/:name\/split/);
  t.match(text, /# - A split is one backend per pool, chosen by ranges of one draw per request/);
  t.match(text, /# - Weights above 256 in pool api: all weights are scaled by 0\.5000/);
});

t.test('a single pool with a policy keeps the one-pool layout', async (t) => {
  const text = renderHaproxy(config({ pools: { default: { backends: ['http://127.0.0.1:4001'], policy: 'consistent-hash', hashOn: 'client-ip' } } }));
  t.match(text, /default_backend gateway_backends\n/);
  t.match(text, /backend gateway_backends\n[^\n]*\n\s+balance source\n\s+hash-type consistent\n/);
  t.match(haproxyCheck(text), /valid/);
});
