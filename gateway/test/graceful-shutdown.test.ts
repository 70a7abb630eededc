// SIGTERM: the gateway stops accepting, lets an in-flight slow request finish with its full response, exits 0.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { spawnGateway, type GatewayProcess } from './helpers/gateway-process.js';
import { waitFor } from './helpers/gateway.js';

/** A gateway process in front of one backend (whose /health answers ok), both stopped in teardown. */
async function gatewayInFrontOf(t: Test, answer: (req: IncomingMessage, res: ServerResponse) => void, graceMs: number): Promise<GatewayProcess> {
  const backend = createServer((req, res) => (req.url === '/health' ? res.end('ok') : answer(req, res)));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const gw = await spawnGateway({ GATEWAY_BACKENDS: `http://127.0.0.1:${(backend.address() as { port: number }).port}`, GATEWAY_SHUTDOWN_GRACE_MS: String(graceMs) });
  t.teardown(() => {
    gw.child.kill('SIGKILL');
    backend.closeAllConnections();
    backend.close();
  });
  await waitFor(async () => (await request(`${gw.url}/health`)).statusCode === 200);
  return gw;
}

t.test('an in-flight slow request finishes after SIGTERM, then the process exits 0', async (t) => {
  let arrived = 0;
  const gw = await gatewayInFrontOf(t, (_req, res) => {
    arrived += 1;
    setTimeout(() => res.end('slow but complete'), 1_000);
  }, 5_000);

  const slow = request(`${gw.url}/slow`).then(async (response) => ({ status: response.statusCode, body: await response.body.text() }));
  await waitFor(() => arrived === 1);
  gw.child.kill('SIGTERM');

  t.same(await slow, { status: 200, body: 'slow but complete' }, 'the in-flight request got its whole response');
  t.equal(await gw.exited, 0, 'exit code 0');
  await t.rejects(request(`${gw.url}/hello`), { code: 'ECONNREFUSED' }, 'no longer accepting connections');
  t.ok(gw.logs.some((entry) => entry.msg === 'stopped'), 'logged the stop');
});

t.test('a second signal forces the exit without waiting for the grace period', async (t) => {
  // never answers: only a forced exit ends this request
  const gw = await gatewayInFrontOf(t, () => {}, 60_000);
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

t.test('a request pipelined behind an in-flight one during shutdown is served with Connection: close', async (t) => {
  let arrived = 0;
  const gw = await gatewayInFrontOf(t, (req, res) => {
    arrived += 1;
    if (req.url === '/slow') setTimeout(() => res.end('slow'), 1_000);
    else res.end('World');
  }, 5_000);
  // The connection is busy with /slow when the signal comes; /hello is sent on it after the signal.
  const socket = connect(Number(new URL(gw.url).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  const ended = once(socket, 'end');
  socket.write('GET /slow HTTP/1.1\r\nHost: gw\r\n\r\n');
  await waitFor(() => arrived === 1);
  gw.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.write('GET /hello HTTP/1.1\r\nHost: gw\r\n\r\n');
  await ended;
  socket.destroy();

  const responses = received.split(/(?=HTTP\/1\.1 )/);
  t.equal(responses.length, 2, 'both requests were answered');
  t.match(responses[0], /^HTTP\/1\.1 200[^]*\r\n\r\nslow$/, 'the in-flight one in full');
  t.match(responses[1], /^HTTP\/1\.1 200[^]*\r\nconnection: close\r\n[^]*World$/i, 'the next one proxied, and the connection closed after it');
  t.equal(await gw.exited, 0, 'exit code 0');
});
