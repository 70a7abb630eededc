// SNI chooses the certificate: an exact name, a wildcard covering one label, and the first certificate for a
// client without SNI or with a name no certificate covers. Names come from the certificate's SAN or from `names`.
import t from 'tap';
import { startGateway } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate, serverCertificate } from './helpers/tls-certs.js';

t.test('openssl s_client -servername gets the certificate for that name', async (t) => {
  const dir = scratchDir('tls-sni');
  const alpha = makeCertificate(dir, 'alpha', ['alpha.test']);
  const beta = makeCertificate(dir, 'beta', ['*.beta.test']);
  // Its SAN says other.test; the config's names take over.
  const gamma = { ...makeCertificate(dir, 'gamma', ['other.test']), names: ['gamma.test'] };
  const gw = await startGateway({ tls: { enabled: true, port: 0, certificates: [alpha, beta, gamma] } });
  t.teardown(() => gw.close());
  const port = gw.tlsPort!;

  t.match((await serverCertificate(port, 'alpha.test')).subject, 'CN = alpha.test', 'exact name');
  t.match((await serverCertificate(port, 'ALPHA.test')).subject, 'CN = alpha.test', 'names compare without case');
  t.match((await serverCertificate(port, 'www.beta.test')).subject, 'CN = *.beta.test', 'wildcard');
  t.match((await serverCertificate(port, 'a.b.beta.test')).subject, 'CN = alpha.test', 'a wildcard covers one label only: default');
  t.match((await serverCertificate(port, 'gamma.test')).subject, 'CN = other.test', 'names from the config');
  t.match((await serverCertificate(port, 'other.test')).subject, 'CN = alpha.test', 'the SAN is not used when names are given');
  t.match((await serverCertificate(port, 'unknown.test')).subject, 'CN = alpha.test', 'unknown name: the first certificate');
  t.match((await serverCertificate(port, undefined)).subject, 'CN = alpha.test', 'no SNI: the first certificate');
});
