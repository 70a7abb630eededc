// Session resumption on the TLS listener (Node's session tickets): a client that saved its session resumes it
// on the next connection, with TLS 1.2 and 1.3, with and without SNI (the SNI-chosen context resumes too).
import { join } from 'node:path';
import t from 'tap';
import { startGateway } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate, openssl } from './helpers/tls-certs.js';

const dir = scratchDir('tls-resumption');
const certificate = makeCertificate(dir, 'localhost', ['localhost']);

t.test('openssl s_client -sess_out then -sess_in: Reused', async (t) => {
  const gw = await startGateway({ tls: { enabled: true, port: 0, certificates: [certificate] } });
  t.teardown(() => gw.close());
  for (const version of ['tls1_2', 'tls1_3']) {
    for (const sni of [['-noservername'], ['-servername', 'localhost']]) {
      const session = join(dir, `${version}-${sni.length}.pem`);
      const connect = ['s_client', '-connect', `127.0.0.1:${gw.tlsPort}`, `-${version}`, ...sni];
      // A TLS 1.3 ticket arrives after the handshake: the client stays half a second to read it.
      const first = await openssl([...connect, '-sess_out', session], 500);
      t.match(first.stdout, /^New, TLSv1\.[23],/m, `${version} ${sni[0]}: a new session first`);
      const second = await openssl([...connect, '-sess_in', session]);
      t.match(second.stdout, /^Reused, TLSv1\.[23],/m, `${version} ${sni[0]}: the saved session is resumed`);
    }
  }
});
