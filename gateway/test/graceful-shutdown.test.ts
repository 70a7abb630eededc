// SIGTERM: the gateway stops accepting, lets an in-flight slow request finish with its full response, exits 0.
import { createServer } from 'node:http';
import t from 'tap';
import { request } from 'undici';
import { spawnGateway } from './helpers/gateway-process.js';
import { waitFor } from './helpers/gateway.js';

t.test('an in-flight slow request finishes after SIGTERM, then the process exits 0', async (t) => {
  let arrived = 0;
  const backend = createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    arrived += 1;
    setTimeout(() => res.end('slow but complete'), 1_000);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const gw = await spawnGateway({ GATEWAY_BACKENDS: `http://127.0.0.1:${(backend.address() as { port: number }).port}`, GATEWAY_SHUTDOWN_GRACE_MS: '5000' });
  t.teardown(() => {
    gw.child.kill('SIGKILL');
    backend.closeAllConnections();
    backend.close();
  });
  await waitFor(async () => (await request(`${gw.url}/health`)).statusCode === 200);

  const slow = request(`${gw.url}/slow`).then(async (response) => ({ status: response.statusCode, body: await response.body.text() }));
  await waitFor(() => arrived === 1);
  gw.child.kill('SIGTERM');

  t.same(await slow, { status: 200, body: 'slow but complete' }, 'the in-flight request got its whole response');
  t.equal(await gw.exited, 0, 'exit code 0');
  await t.rejects(request(`${gw.url}/hello`), { code: 'ECONNREFUSED' }, 'no longer accepting connections');
  t.ok(gw.logs.some((entry) => entry.msg === 'stopped'), 'logged the stop');
});

t.test('a second signal forces the exit without waiting for the grace period', async (t) => {
  const backend = createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    // never answers: only a forced exit ends this request
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const gw = await spawnGateway({ GATEWAY_BACKENDS: `http://127.0.0.1:${(backend.address() as { port: number }).port}`, GATEWAY_SHUTDOWN_GRACE_MS: '60000' });
  t.teardown(() => {
    gw.child.kill('SIGKILL');
    backend.closeAllConnections();
    backend.close();
  });
  await waitFor(async () => (await request(`${gw.url}/health`)).statusCode === 200);
  const hanging = request(`${gw.url}/hang`).catch((error: Error) => error);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  gw.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  gw.child.kill('SIGTERM');
  const code = await gw.exited;
  t.not(code, 0, `forced exit is not a clean one (${code})`);
  t.ok(Date.now() - started < 10_000, 'did not wait out the 60 s grace period');
  await hanging;
});
