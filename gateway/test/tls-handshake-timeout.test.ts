// A client that opens a TCP connection to the TLS listener and never completes a handshake is cut off after
// limits.clientHeadersTimeoutMs (the slowloris bound of the cleartext port), not Node's default of 120 s.
import { once } from 'node:events';
import { connect } from 'node:net';
import t from 'tap';
import { startGateway } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

t.test('a silent connection is closed after the client headers timeout', async (t) => {
  const certificate = makeCertificate(scratchDir('tls-handshake'), 'localhost', ['localhost']);
  const gw = await startGateway({ limits: { clientHeadersTimeoutMs: 500 }, tls: { enabled: true, port: 0, certificates: [certificate] } });
  t.teardown(() => gw.close());
  const socket = connect(gw.tlsPort!, '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.on('error', () => {});
  await once(socket, 'connect');
  const openedAt = Date.now();
  await once(socket, 'close');
  const heldMs = Date.now() - openedAt;
  t.ok(heldMs >= 400 && heldMs < 3_000, `closed after ${heldMs} ms`);
});
