// The gRPC active probe (health/grpc-health-check.ts) against real Greeter processes, h2c and TLS: SERVING is up;
// NOT_SERVING, an unknown service name, a killed backend and a hung one are down, each with a reason a user can act on.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { GrpcHealthProbe } from '../src/health/grpc-health-check.js';
import { createBackend } from '../src/pool/backend.js';
import { setGreeterFaults } from './helpers/greeter-client.js';
import { spawnGreeter } from './helpers/greeter-processes.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const backendAt = (id: string, url: string) => createBackend({ id, url, weight: 1, backup: false }, 'static', 'greeter');

t.test('h2c backend: status, service name, kill', async (t) => {
  const greeter = await spawnGreeter('greeter-1');
  const backend = backendAt('greeter-1', greeter.url);
  const probe = new GrpcHealthProbe({ service: '', timeoutMs: 500, intervalMs: 1_000 });
  const named = new GrpcHealthProbe({ service: 'helloworld.Greeter', timeoutMs: 500, intervalMs: 1_000 });
  const unknown = new GrpcHealthProbe({ service: 'no.Such', timeoutMs: 500, intervalMs: 1_000 });
  t.teardown(async () => {
    for (const p of [probe, named, unknown]) p.close();
    await greeter.kill();
  });

  t.same(await probe.probe(backend), { ok: true, reason: 'ok' }, 'SERVING is up');
  t.same(await named.probe(backend), { ok: true, reason: 'ok' }, 'healthCheck.grpcService names the service asked about');
  t.same(await unknown.probe(backend), { ok: false, reason: 'grpc health: service unknown to the backend' }, 'a service the backend does not know is down');

  await setGreeterFaults(greeter.address, { notServing: true });
  t.same(await probe.probe(backend), { ok: false, reason: 'grpc health NOT_SERVING' }, 'NOT_SERVING is down');
  await setGreeterFaults(greeter.address, { hang: true });
  t.same(await probe.probe(backend), { ok: true, reason: 'ok' }, 'hung Greeter calls do not fool the probe: health answers apart');

  await greeter.kill();
  const dead = await probe.probe(backend);
  t.equal(dead.ok, false, 'a killed backend is down');
  t.match(dead.reason, /UNAVAILABLE/, `and says it is unavailable (${dead.reason})`);
});

t.test('a backend that does not answer within timeoutMs is down as timeout', async (t) => {
  // A TCP listener that accepts and says nothing: the HTTP/2 handshake never completes.
  const { createServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const probe = new GrpcHealthProbe({ service: '', timeoutMs: 300, intervalMs: 1_000 });
  t.teardown(() => {
    probe.close();
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const started = Date.now();
  const result = await probe.probe(backendAt('silent', `http://127.0.0.1:${(silent.address() as { port: number }).port}`));
  t.same(result, { ok: false, reason: 'timeout' });
  t.ok(Date.now() - started < 3_000, 'within the probe timeout (generous margin)');
});

t.test('TLS backend: verified against the pool CA, refused without it', async (t) => {
  const dir = scratchDir('grpc-health-tls');
  const certificate = makeCertificate(dir, 'greeter', ['localhost']);
  const greeter = await spawnGreeter('greeter-tls', { tls: certificate });
  const backend = backendAt('greeter-tls', `https://localhost:${greeter.port}`);
  const trusting = new GrpcHealthProbe({ service: '', timeoutMs: 1_000, intervalMs: 1_000, tls: { ca: readFileSync(certificate.cert), rejectUnauthorized: true } });
  const untrusting = new GrpcHealthProbe({ service: '', timeoutMs: 1_000, intervalMs: 1_000 });
  t.teardown(async () => {
    trusting.close();
    untrusting.close();
    await greeter.kill();
  });
  t.same(await trusting.probe(backend), { ok: true, reason: 'ok' }, 'with the CA the TLS backend is up');
  const refused = await untrusting.probe(backend);
  t.equal(refused.ok, false, 'with only the system CAs the self-signed backend is down');
  t.match(refused.reason, /UNAVAILABLE/, `(${refused.reason})`);
});
