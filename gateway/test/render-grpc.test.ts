// gRPC and HTTP/2 pools in the drop-ins: nginx -t and haproxy -c accept them, routed and single; nginx sends a gRPC
// pool with grpc_pass (grpcs:// to TLS backends) from a cleartext `listen … http2` server on the gateway's h2c port
// plus ten, and retries on connect failure only; HAProxy gives its servers proto h2, binds the h2c port plus eleven
// with proto h2, checks gRPC servers by TCP and h2c servers over HTTP/2; both headers say what they cannot do.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderHaproxy } from '../src/render/haproxy.js';
import { renderNginx } from '../src/render/nginx.js';
import { scratchDir } from './helpers/scratch-dir.js';

const dir = scratchDir('render-grpc');
chmodSync(dir, 0o755);
const greeter = { backends: ['http://127.0.0.1:5001', 'http://127.0.0.1:5002'], protocol: 'grpc', grpc: { idempotentMethods: ['/greeter.Greeter/SayHello'] } };
const SINGLE = configSchema.parse({ listen: { host: '127.0.0.1', port: 8080 }, http2: { h2cPort: 8082 }, pools: { greeter }, routes: [{ name: 'rpc', pool: 'greeter' }] });
const ROUTED = configSchema.parse({
  listen: { host: '127.0.0.1', port: 8080 },
  http2: { h2cPort: 8082 },
  pools: {
    greeter,
    secure: { backends: ['https://127.0.0.1:5003'], protocol: 'grpc' },
    web: { backends: ['http://127.0.0.1:5004'], protocol: 'h2c' },
    tls: { backends: ['https://127.0.0.1:5005'], protocol: 'h2' },
  },
  routes: [
    { name: 'greeter', match: { pathPrefix: '/greeter.Greeter' }, pool: 'greeter' },
    { name: 'secure', match: { hosts: ['secure.test'] }, pool: 'secure' },
    { name: 'tls', match: { hosts: ['tls.test'] }, pool: 'tls' },
    { name: 'web', pool: 'web' },
  ],
});

for (const [name, config] of [['single', SINGLE], ['routed', ROUTED]] as const) {
  t.test(`nginx -t and haproxy -c accept gRPC and HTTP/2 pools (${name})`, async (t) => {
    writeFileSync(join(dir, 'nginx.conf'), renderNginx(config));
    t.equal(execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', 'nginx.conf', '-e', 'stderr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), '');
    writeFileSync(join(dir, 'haproxy.cfg'), renderHaproxy(config));
    const check = spawnSync('haproxy', ['-c', '-f', join(dir, 'haproxy.cfg')], { encoding: 'utf8' });
    t.match(`${check.stdout}${check.stderr}`, /valid/);
    t.notMatch(`${check.stdout}${check.stderr}`, /WARNING|ALERT/);
  });
}

t.test('nginx: grpc_pass from an h2c server, connect-failure retries, and what it cannot do', async (t) => {
  const text = renderNginx(SINGLE);
  t.match(text, /server \{\n\s+listen 127\.0\.0\.1:8092 http2;/, 'h2c on the gateway h2cPort plus ten');
  t.equal(text.match(/grpc_pass grpc:\/\/gateway_backends;/g)?.length, 2, 'the cleartext and h2c servers both send gRPC with grpc_pass');
  t.match(text, /grpc_next_upstream error timeout;\n\s+grpc_next_upstream_tries 3;/);
  t.notMatch(text, /proxy_pass/);
  t.match(text, /grpc_pass, served over HTTP\/2 only \(h2c on port 8092\)\./);
  t.match(text, /# {3}Health: nginx OSS cannot speak grpc\.health\.v1\.Health\/Check/);
  t.match(text, /would retry the idempotent methods of pool greeter \(\/greeter\.Greeter\/SayHello\)/);
  t.match(renderNginx(SINGLE, { h2cPort: 9999 }), /listen 127\.0\.0\.1:9999 http2;/);
  t.notMatch(renderNginx(configSchema.parse({ backends: ['http://127.0.0.1:5001'] })), / http2;/, 'no h2c server without http2.h2cPort');
});

t.test('nginx routed: the gRPC location rewrites the path back; TLS backends use grpcs; h2 pools are proxied as HTTP/1.1', async (t) => {
  const text = renderNginx(ROUTED);
  t.match(text, /location = \/gateway-pool\/greeter \{\n\s+internal;\n\s+rewrite \^ \$gateway_upstream_uri break;\n\s+grpc_pass grpc:\/\/pool_greeter;/);
  t.match(text, /grpc_pass grpcs:\/\/pool_secure;/);
  t.match(text, /proxy_pass http:\/\/pool_web\$gateway_upstream_uri;/);
  t.match(text, /# - protocol h2\/h2c \(pool web, tls\): nginx OSS proxies HTTP\/1\.1 to backends/);
});

t.test('HAProxy: proto h2 servers, an h2c bind, TCP checks for gRPC, retries after sending only for idempotent methods', async (t) => {
  const text = renderHaproxy(SINGLE);
  t.match(text, /bind 127\.0\.0\.1:8091\n\s+# The gateway's h2c port[^\n]*\n\s+bind 127\.0\.0\.1:8093 proto h2\n/);
  t.match(text, /server greeter-1 127\.0\.0\.1:5001 weight 1 proto h2\n/);
  t.notMatch(text, /^\s+option httpchk$/m, 'httpchk cannot speak grpc.health.v1');
  t.match(text, /acl idempotent path -m str \/greeter\.Greeter\/SayHello\n\s+http-request disable-l7-retry unless idempotent/);
  t.match(text, /clients reach it over HTTP\/2 only,\n# {3}here h2c on port 8093\.\n/);
  t.match(text, /# {3}Health: option httpchk cannot speak grpc\.health\.v1\.Health\/Check, so the check is a TCP connect/);
  const routed = renderHaproxy(ROUTED);
  t.match(routed, /server secure-1 127\.0\.0\.1:5003 weight 1 ssl verify required ca-file @system-ca alpn h2\n/);
  t.match(routed, /default-server maxconn \d+ check check-proto h2 /, 'an h2c pool is checked over HTTP/2');
  t.match(routed, /server web-1 127\.0\.0\.1:5004 weight 1 proto h2\n/);
  t.match(routed, /retry-on conn-failure empty-response response-timeout\n\s+http-request disable-l7-retry\n/, 'a gRPC pool with no idempotent methods never retries after sending');
});
