// The TLS listener in the drop-ins: nginx -t and haproxy -c accept it; nginx has a server per certificate chosen
// by server_name (a one-label regex for a wildcard, the first the default_server) with ssl and http2; HAProxy a
// second bind with every certificate, ALPN h2 and http/1.1 and the minimum version, and X-Forwarded-Proto https.
// A certificate without configured names that cannot be read is refused, naming the key.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { configSchema } from '../src/config-schema.js';
import { renderHaproxy } from '../src/render/haproxy.js';
import { renderNginx } from '../src/render/nginx.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const dir = scratchDir('render-tls');
chmodSync(dir, 0o755);
const alpha = makeCertificate(dir, 'alpha', ['alpha.test']);
const beta = { ...makeCertificate(dir, 'beta', ['other.test']), names: ['*.beta.test'] };
for (const { cert, key } of [alpha, beta]) symlinkSync(key, `${cert}.key`);
const config = (tls: Record<string, unknown>) => configSchema.parse({ listen: { host: '127.0.0.1', port: 8080 }, backends: ['http://127.0.0.1:4001'], tls: { enabled: true, ...tls } });
const TLS = config({ certificates: [alpha, beta], minVersion: 'TLSv1.3' });

t.test('nginx -t and haproxy -c accept the TLS listener', async (t) => {
  writeFileSync(join(dir, 'nginx.conf'), renderNginx(TLS));
  t.equal(execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', 'nginx.conf', '-e', 'stderr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), '');
  writeFileSync(join(dir, 'haproxy.cfg'), renderHaproxy(TLS));
  const check = spawnSync('haproxy', ['-c', '-f', join(dir, 'haproxy.cfg')], { encoding: 'utf8' });
  t.match(`${check.stdout}${check.stderr}`, /valid/);
  t.notMatch(`${check.stdout}${check.stderr}`, /WARNING/);
});

t.test('nginx: a server per certificate, chosen by server_name, the first the default', async (t) => {
  const text = renderNginx(TLS, { tlsPort: 9443 });
  t.match(text, /ssl_protocols TLSv1\.3;/);
  t.match(text, /listen 127\.0\.0\.1:9443 ssl http2 default_server;\n\s+server_name alpha\.test;\n\s+ssl_certificate "[^"]+alpha\.crt";\n\s+ssl_certificate_key "[^"]+alpha\.key";/);
  t.match(text, /listen 127\.0\.0\.1:9443 ssl http2;\n\s+server_name "~\^\[\^\.\]\+\\\\\.beta\\\\\.test\$";/, 'a wildcard covers one label, as in the gateway');
  t.equal(text.match(/location \/ \{/g)?.length, 3, 'the cleartext and both TLS servers proxy alike');
  t.match(text, /# TLS \(ALPN h2 and http\/1\.1, TLSv1\.3\) on port 9443; certificates by SNI: alpha\.test \| \*\.beta\.test/);
});

t.test('HAProxy: a TLS bind with every certificate; X-Forwarded-Proto https on it', async (t) => {
  const text = renderHaproxy(TLS, { tlsPort: 9444 });
  t.match(text, /bind 127\.0\.0\.1:9444 ssl crt \S+alpha\.crt crt \S+beta\.crt alpn h2,http\/1\.1 ssl-min-ver TLSv1\.3 ciphers \S+ ciphersuites \S+\n/);
  t.match(text, /set-header X-Forwarded-Proto http\n\s+http-request set-header X-Forwarded-Proto https if \{ ssl_fc \}\n/);
  t.match(text, new RegExp(`#     ln -sf ${alpha.key} ${alpha.cert}\\.key`), 'the header says how HAProxy finds a separate key');
  t.match(text, /# - tls\.certificates names \(\*\.beta\.test\): HAProxy chooses by each certificate's own names instead/);
});

t.test('a certificate that cannot be read for its names is refused, naming the key', async (t) => {
  const unreadable = config({ certificates: [{ cert: join(dir, 'missing.crt'), key: join(dir, 'missing.key') }] });
  t.throws(() => renderNginx(unreadable), { name: 'RenderError', message: /^tls\.certificates\.0\.cert: .*missing\.crt cannot be read for its server names .*list them in tls\.certificates\.0\.names/ });
});
