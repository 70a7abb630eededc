// gRPC errors the gateway makes itself, as a gRPC client sees them: a trailers-only HTTP 200 with grpc-status —
// no backend → UNAVAILABLE, a refused backend → retried elsewhere (nothing was sent), a stream reset before any
// answer → UNAVAILABLE, grpc-timeout → DEADLINE_EXCEEDED long before proxy.headersTimeoutMs, a backend failing
// after response bytes went out → never retried, UNAVAILABLE in the trailers; and gateway_grpc_requests_total.
// Clients: @grpc/grpc-js, and curl --http2-prior-knowledge where the raw response must be read.
import { execFile } from 'node:child_process';
import { createServer, constants, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { startGateway } from './helpers/gateway.js';
import { greeterClient, sayHello } from './helpers/greeter-client.js';
import { metricSum } from './helpers/metrics-sum.js';
import { spawnGreeter } from './helpers/greeter-processes.js';
import { scratchDir } from './helpers/scratch-dir.js';

const run = promisify(execFile);
const SAY_HELLO = '/helloworld.Greeter/SayHello';
/** One length-prefixed gRPC message: HelloRequest{name: "Hello"}. */
const HELLO_FRAME = join(scratchDir('grpc-errors'), 'hello.bin');
writeFileSync(HELLO_FRAME, Buffer.from([0, 0, 0, 0, 7, 0x0a, 5, ...Buffer.from('Hello')]));

/** An h2c backend that does `behave` with every stream and counts them. */
async function rawBackend(t: Test, behave: (stream: ServerHttp2Stream) => void): Promise<{ url: string; streams: () => number }> {
  let streams = 0;
  const server: Http2Server = createServer();
  server.on('stream', (stream) => {
    streams += 1;
    stream.on('error', () => {});
    behave(stream);
  });
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const session of sessions) session.destroy();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, streams: () => streams };
}

async function grpcGateway(t: Test, backends: string[], grpc: Record<string, unknown> = {}) {
  const gateway = await startGateway({
    http2: { h2cPort: 0 },
    pools: { greeter: { backends, protocol: 'grpc', healthCheck: { enabled: false }, grpc } },
    routes: [{ name: 'rpc', pool: 'greeter' }],
  });
  t.teardown(() => gateway.close());
  return gateway;
}

/** A SayHello by curl: the response headers (and trailers, which curl dumps with them) and the time taken. */
async function curlCall(h2cPort: number, headers: string[] = []) {
  const started = Date.now();
  const { stdout } = await run('curl', ['-s', '--max-time', '20', '--http2-prior-knowledge', '-D', '-', '-o', '/dev/null',
    '-H', 'content-type: application/grpc', '-H', 'te: trailers', ...headers.flatMap((header) => ['-H', header]),
    '--data-binary', `@${HELLO_FRAME}`, `http://127.0.0.1:${h2cPort}${SAY_HELLO}`]);
  return { text: stdout.toLowerCase(), ms: Date.now() - started };
}

t.test('no backend: UNAVAILABLE, trailers-only with HTTP 200 and content-type application/grpc', async (t) => {
  const gateway = await grpcGateway(t, []);
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`);
  t.teardown(() => client.close());
  const outcome = await sayHello(client);
  t.equal(outcome.code, 14, JSON.stringify(outcome));
  t.match(outcome.details, /no backend is available/);
  const { text } = await curlCall(gateway.h2cPort!);
  t.match(text, /^http\/2 200/);
  t.match(text, /content-type: application\/grpc/);
  t.match(text, /grpc-status: 14/);
  t.equal(await metricSum(gateway.adminUrl, 'gateway_grpc_requests_total', { pool: 'greeter', code: 'UNAVAILABLE' }), 2);
});

t.test('a refused backend: the call goes to the other one (nothing was sent), any method', async (t) => {
  const live = await spawnGreeter('greeter-live');
  const dead = await spawnGreeter('greeter-dead');
  t.teardown(() => live.kill());
  await dead.kill();
  const gateway = await grpcGateway(t, [dead.url, live.url]);
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`);
  t.teardown(() => client.close());
  const outcomes = [];
  for (let i = 0; i < 4; i++) outcomes.push(await sayHello(client));
  t.same(outcomes.map((outcome) => [outcome.code, outcome.backend]), Array(4).fill([0, 'greeter-live']));
  t.equal(await metricSum(gateway.adminUrl, 'gateway_grpc_requests_total', { pool: 'greeter', code: 'OK' }), 4);
});

t.test('a stream reset before any answer: UNAVAILABLE', async (t) => {
  const backend = await rawBackend(t, (stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
  const gateway = await grpcGateway(t, [backend.url]);
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`);
  t.teardown(() => client.close());
  const outcome = await sayHello(client);
  t.equal(outcome.code, 14, JSON.stringify(outcome));
  t.match(outcome.details, /closed the connection before answering/);
});

t.test('grpc-timeout caps the try: DEADLINE_EXCEEDED from the gateway, not after proxy.headersTimeoutMs (30 s)', async (t) => {
  const backend = await rawBackend(t, () => {}); // never answers
  const gateway = await grpcGateway(t, [backend.url]);
  const { text, ms } = await curlCall(gateway.h2cPort!, ['grpc-timeout: 300m']);
  t.match(text, /grpc-status: 4\b/);
  t.ok(ms >= 250 && ms < 5_000, `answered after ${ms} ms`);
});

t.test('failing after response bytes went out: no retry, even for an idempotent method; UNAVAILABLE in the trailers', async (t) => {
  const breakMidCall = (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.write(Buffer.from([0, 0, 0, 0, 7, 0x0a, 5, ...Buffer.from('World')]), () => setTimeout(() => stream.close(constants.NGHTTP2_INTERNAL_ERROR), 50));
  };
  const first = await rawBackend(t, breakMidCall);
  const second = await rawBackend(t, breakMidCall);
  const gateway = await grpcGateway(t, [first.url, second.url], { idempotentMethods: [SAY_HELLO] });
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`);
  t.teardown(() => client.close());
  const outcome = await sayHello(client);
  t.equal(outcome.code, 14, `UNAVAILABLE in the trailers: ${JSON.stringify(outcome)}`);
  t.match(outcome.details, /the backend failed mid-call/);
  t.equal(first.streams() + second.streams(), 1, 'one backend saw the call, once');
});

t.test('UNAVAILABLE from a backend counts towards passive ejection', async (t) => {
  const failing = await spawnGreeter('greeter-failing');
  const healthy = await spawnGreeter('greeter-healthy');
  t.teardown(() => failing.kill());
  t.teardown(() => healthy.kill());
  const { setGreeterFaults } = await import('./helpers/greeter-client.js');
  await setGreeterFaults(failing.address, { errorRate: 1 });
  const gateway = await grpcGateway(t, [failing.url, healthy.url]);
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`);
  t.teardown(() => client.close());
  const outcomes = [];
  for (let i = 0; i < 10; i++) outcomes.push(await sayHello(client));
  t.equal(outcomes.filter((outcome) => outcome.code === 14).length, 3, 'three UNAVAILABLE (passiveHealth.maxFails), then the backend is out');
  t.same(outcomes.slice(-4).map((outcome) => outcome.backend), Array(4).fill('greeter-healthy'));
  t.equal(gateway.gateway.pools.get('greeter')!.get('greeter-1')!.state, 'ejected');
});
