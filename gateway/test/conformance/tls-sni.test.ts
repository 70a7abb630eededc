// Conformance: the TLS listener chooses the certificate by SNI on all three targets (openssl s_client): an exact
// name, a wildcard covering one label, and the first certificate for a deeper name, an unknown one and no SNI;
// and curl gets World, verifying the certificate for the name it asked for, over the protocol ALPN chose: h2 for
// nginx and HAProxy; the gateway's TLS listener offers h2 only once its HTTP/2 front lands (http/1.1 until then).
import { execFile } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { freePort } from '../../../bench/free-port.js';
import { killAll, spawnBackends } from '../helpers/backend-processes.js';
import { startTarget, TARGETS } from '../helpers/proxy-targets.js';
import { scratchDir } from '../helpers/scratch-dir.js';
import { makeCertificate, openssl, serverCertificate } from '../helpers/tls-certs.js';

const run = promisify(execFile);
const dir = scratchDir('conformance-tls-sni');
const alpha = makeCertificate(dir, 'alpha', ['alpha.test']);
const beta = makeCertificate(dir, 'beta', ['*.beta.test']);
// As the rendered haproxy.cfg's header asks: HAProxy reads a separate key from <cert>.key.
for (const { cert, key } of [alpha, beta]) symlinkSync(key, `${cert}.key`);

for (const name of TARGETS) {
  t.test(`${name}: SNI chooses the certificate; curl gets World over TLS`, async (t) => {
    const backends = await spawnBackends(2);
    const tlsPort = await freePort();
    const target = await startTarget(name, backends.map((backend) => backend.url), { tls: { enabled: true, port: tlsPort, certificates: [alpha, beta] } });
    t.teardown(async () => {
      await target.stop();
      await killAll(backends);
    });

    t.match((await serverCertificate(tlsPort, 'alpha.test')).subject, 'CN = alpha.test', 'exact name');
    t.match((await serverCertificate(tlsPort, 'www.beta.test')).subject, 'CN = *.beta.test', 'wildcard');
    t.match((await serverCertificate(tlsPort, 'a.b.beta.test')).subject, 'CN = alpha.test', 'a wildcard covers one label only: the default');
    t.match((await serverCertificate(tlsPort, 'unknown.test')).subject, 'CN = alpha.test', 'unknown name: the first certificate');
    t.match((await serverCertificate(tlsPort, undefined)).subject, 'CN = alpha.test', 'no SNI: the first certificate');

    const handshake = await openssl(['s_client', '-connect', `127.0.0.1:${tlsPort}`, '-servername', 'www.beta.test', '-alpn', 'h2,http/1.1']);
    const alpn = /^ALPN protocol: (\S+)$/m.exec(handshake.stdout)?.[1] ?? 'none';
    if (name !== 'gateway') t.equal(alpn, 'h2', 'ALPN chooses h2 when the client offers it');
    const host = `www.beta.test:${tlsPort}`;
    const { stdout } = await run('curl', ['-s', '--max-time', '10', '--http2', '--cacert', beta.cert, '--resolve', `${host}:127.0.0.1`, '-w', ' %{http_version}', `https://${host}/hello`]);
    t.equal(stdout, `World ${alpn === 'h2' ? '2' : '1.1'}`, `curl verifies *.beta.test for www.beta.test and speaks what ALPN chose (${alpn})`);
  });
}
