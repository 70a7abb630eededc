// Certificates change on disk while the gateway serves: the next handshake uses the new one (file watch), an
// open keep-alive connection keeps working on the old one, and a key that does not match the new certificate
// is refused at reload (SIGHUP's path) and audited while the certificate in use stays.
import { copyFileSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import t from 'tap';
import { startBackend } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate, serverCertificate } from './helpers/tls-certs.js';

const dir = scratchDir('tls-reload');
const live = makeCertificate(dir, 'live', ['localhost']);
const first = readFileSync(live.cert, 'utf8');
const next = makeCertificate(dir, 'next', ['localhost']);
const stray = makeCertificate(dir, 'stray', ['localhost']);

/** GET /hello over the agent; resolves with the body, whether the socket was reused, and the certificate it saw. */
function hello(agent: Agent, port: number): Promise<{ body: string; reused: boolean; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, servername: 'localhost', path: '/hello', agent }, (res) => {
      // Read now: once the response ends, the socket goes back to the agent.
      const { fingerprint256 } = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ body, reused: req.reusedSocket, fingerprint: fingerprint256 }));
    });
    req.on('error', reject).end();
  });
}

const samePem = (a: string, b: string) => a.replace(/\s/g, '') === b.replace(/\s/g, '');

t.test('a swapped certificate serves the next handshake; an open connection keeps going; a bad one is refused', async (t) => {
  const backend = await startBackend('backend-1');
  t.teardown(() => backend.stop());
  const gw = await startGateway({ backends: [backend.url], tls: { enabled: true, port: 0, certificates: [live] } });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.available === 1);
  const port = gw.tlsPort!;
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: [first, readFileSync(next.cert, 'utf8')] });
  t.teardown(() => agent.destroy());

  const before = await hello(agent, port);
  t.equal(before.body, 'World');

  copyFileSync(next.cert, live.cert);
  copyFileSync(next.key, live.key);
  const nextPem = readFileSync(next.cert, 'utf8');
  await waitFor(async () => samePem((await serverCertificate(port, 'localhost')).pem, nextPem), 5_000, 100);
  t.pass('a new handshake gets the new certificate, by file watch alone');

  const during = await hello(agent, port);
  t.equal(during.body, 'World', 'the open connection still serves');
  t.ok(during.reused, 'on the same connection');
  t.equal(during.fingerprint, before.fingerprint, 'which keeps the certificate it was made with');

  // A key that belongs to another certificate: refused, the new certificate stays.
  copyFileSync(stray.key, live.key);
  t.equal(gw.gateway.reload('SIGHUP').ok, true, 'the rest of the config still reloads');
  t.ok(samePem((await serverCertificate(port, 'localhost')).pem, nextPem), 'handshakes keep the certificate in use');
  const fresh = new Agent({ keepAlive: false, ca: [nextPem] });
  t.equal((await hello(fresh, port)).body, 'World', 'and new connections are served');
  await waitFor(() => readFileSync(gw.gateway.config.audit.file, 'utf8').includes('tls-reload-failed'));
  const records = readFileSync(gw.gateway.config.audit.file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  const failed = records.find((record) => record.event === 'tls-reload-failed' && record.actor === 'SIGHUP');
  t.match(failed?.reason, /^tls\.certificates\.0\.key: .* does not match the certificate/, 'audited with the key at fault');
  t.ok(records.some((record) => record.event === 'tls-reloaded'), 'the good swap was audited too');
});
