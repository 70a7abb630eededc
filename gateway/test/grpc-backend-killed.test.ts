// The chaos check: `npm run rpc -- Hello --repeat 1000` through the gateway (h2c) over three Greeters,
// one of them SIGKILLed a fifth of the way through, loses 0 calls: connect failures go to another Greeter, and a
// SayHello cut off mid-call is sent again because the pool lists it as idempotent. All real processes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freePort } from '../../bench/free-port.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { killGreeters, spawnGreeters } from './helpers/greeter-processes.js';

const RPC_CLIENT = fileURLToPath(new URL('../../dist/backends/src/rpc-client.js', import.meta.url));
const CALLS = 1_000;
const KILL_AFTER = 200;

t.test(`killing a Greeter during ${CALLS} calls fails none`, async (t) => {
  const greeters = await spawnGreeters(3);
  t.teardown(() => killGreeters(greeters));
  const h2cPort = await freePort();
  const gateway = await spawnGateway({
    GATEWAY_BACKENDS: '',
    GATEWAY_HTTP2_H2C_PORT: String(h2cPort),
    GATEWAY_HEALTH_CHECK_INTERVAL_MS: '1000',
    GATEWAY_HEALTH_CHECK_TIMEOUT_MS: '900',
    GATEWAY_POOLS: JSON.stringify({
      greeter: {
        protocol: 'grpc',
        grpc: { idempotentMethods: ['/helloworld.Greeter/SayHello'] },
        backends: greeters.map((greeter) => ({ id: greeter.id, url: greeter.url })),
      },
    }),
    GATEWAY_ROUTES: JSON.stringify([{ name: 'rpc', match: { pathPrefix: '/helloworld.Greeter/' }, pool: 'greeter' }]),
  });
  t.teardown(() => {
    gateway.child.kill('SIGKILL');
  });

  // Wait until the three are up (their gRPC health), so the first calls do not meet an empty pool.
  for (let tries = 0; tries < 100; tries++) {
    const pool = (await (await fetch(`${gateway.adminUrl}/pool`)).json()) as { backends: { state: string }[] };
    if (pool.backends.length === 3 && pool.backends.every((backend) => backend.state === 'up')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const client = spawn(process.execPath, [RPC_CLIENT, 'Hello', '--repeat', String(CALLS), '--plaintext', '--target', `127.0.0.1:${h2cPort}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killed = greeters[1]!;
  let answered = 0;
  let summary = '';
  createInterface({ input: client.stdout! }).on('line', (line) => {
    if (line.startsWith('calls ')) summary = line;
    if (/^#\d+ World/.test(line) && ++answered === KILL_AFTER) void killed.kill();
  });
  const exitCode = await new Promise<number | null>((resolve) => client.once('exit', resolve));

  t.match(summary, new RegExp(`^calls ${CALLS}, failed 0,`), `no call failed (${summary})`);
  t.equal(exitCode, 0, 'the client exits 0');
  const perBackend = Object.fromEntries([...summary.matchAll(/(greeter-\d) (\d+)/g)].map(([, id, count]) => [id, Number(count)]));
  t.ok((perBackend[killed.id] ?? 0) < CALLS / 3, `${killed.id} answered fewer calls than its share once killed (${perBackend[killed.id]})`);
  t.ok((perBackend['greeter-1'] ?? 0) > CALLS / 3 && (perBackend['greeter-3'] ?? 0) > CALLS / 3, 'the other two took over');
});
