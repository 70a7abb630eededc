// SIGTERM with the TLS listener open: an in-flight HTTPS request finishes with its whole response, an idle
// keep-alive TLS connection does not hold the process, it exits 0 well within the grace period, and the TLS
// port is closed.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import t from 'tap';
import { spawnGateway } from './helpers/gateway-process.js';
import { waitFor } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const certificate = makeCertificate(scratchDir('tls-shutdown'), 'localhost', ['localhost']);
const GRACE_MS = 10_000;

function get(agent: Agent, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, servername: 'localhost', path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

t.test('an in-flight HTTPS request finishes after SIGTERM; idle TLS connections do not delay the exit', async (t) => {
  let arrived = 0;
  const backend = createServer((req, res) => {
    if (req.url === '/health') return res.end('ok');
    arrived += 1;
    setTimeout(() => res.end('slow but complete'), 1_000);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const gw = await spawnGateway({
    GATEWAY_BACKENDS: `http://127.0.0.1:${(backend.address() as { port: number }).port}`,
    GATEWAY_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    GATEWAY_TLS_ENABLED: 'true',
    GATEWAY_TLS_PORT: '0',
    GATEWAY_TLS_CERTIFICATES: JSON.stringify([certificate]),
  });
  t.teardown(() => {
    gw.child.kill('SIGKILL');
    backend.closeAllConnections();
    backend.close();
  });
  const port = gw.logs.find((entry) => entry.msg === 'gateway listening')!.tlsPort as number;
  const ca = readFileSync(certificate.cert);
  const idle = new Agent({ keepAlive: true, ca });
  const busy = new Agent({ keepAlive: true, ca });
  t.teardown(() => {
    idle.destroy();
    busy.destroy();
  });
  await waitFor(async () => (await get(idle, port, '/health')).status === 200);

  const slow = get(busy, port, '/slow');
  await waitFor(() => arrived === 1);
  const stoppedAt = Date.now();
  gw.child.kill('SIGTERM');

  t.same(await slow, { status: 200, body: 'slow but complete' }, 'the in-flight request got its whole response');
  t.equal(await gw.exited, 0, 'exit code 0');
  t.ok(Date.now() - stoppedAt < GRACE_MS / 2, `exited in ${Date.now() - stoppedAt} ms, not held by the idle connection`);
  await t.rejects(get(new Agent({ ca }), port, '/hello'), { code: 'ECONNREFUSED' }, 'the TLS port is closed');
});
