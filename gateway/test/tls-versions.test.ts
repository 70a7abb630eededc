// The TLS listener refuses TLS 1.0 and 1.1 (and 1.2 with tls.minVersion TLSv1.3) and accepts TLS 1.2 and 1.3.
// The client is allowed the old versions (SECLEVEL=0), so a refusal comes from the gateway, not from openssl.
import t from 'tap';
import { startGateway } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate, openssl } from './helpers/tls-certs.js';

const certificate = makeCertificate(scratchDir('tls-versions'), 'localhost', ['localhost']);

/** Whether an openssl s_client handshake with only this version completes. */
async function handshakes(port: number, version: string): Promise<boolean> {
  const result = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', `-${version}`, '-cipher', 'DEFAULT@SECLEVEL=0']);
  return result.status === 0 && /^New, TLSv1\.[0-3],/m.test(result.stdout);
}

t.test('TLS 1.2 minimum by default: 1.0 and 1.1 refused, 1.2 and 1.3 accepted', async (t) => {
  const gw = await startGateway({ tls: { enabled: true, port: 0, certificates: [certificate] } });
  t.teardown(() => gw.close());
  t.notOk(await handshakes(gw.tlsPort!, 'tls1'), 'TLS 1.0 refused');
  t.notOk(await handshakes(gw.tlsPort!, 'tls1_1'), 'TLS 1.1 refused');
  t.ok(await handshakes(gw.tlsPort!, 'tls1_2'), 'TLS 1.2 accepted');
  t.ok(await handshakes(gw.tlsPort!, 'tls1_3'), 'TLS 1.3 accepted');
});

t.test('tls.minVersion TLSv1.3 refuses 1.2', async (t) => {
  const gw = await startGateway({ tls: { enabled: true, port: 0, certificates: [certificate], minVersion: 'TLSv1.3' } });
  t.teardown(() => gw.close());
  t.notOk(await handshakes(gw.tlsPort!, 'tls1_2'), 'TLS 1.2 refused');
  t.ok(await handshakes(gw.tlsPort!, 'tls1_3'), 'TLS 1.3 accepted');
});
