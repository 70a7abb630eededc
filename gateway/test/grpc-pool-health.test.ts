// Active checks of a `protocol: grpc` pool go through grpc.health.v1.Health/Check: a Greeter whose health says
// NOT_SERVING leaves the pool (GET /pool says why) and comes back when it serves again; healthCheck.grpcService
// (per pool too) names the service asked about. Real Greeter processes, the gateway's own admin API.
import t from 'tap';
import { pool } from './helpers/admin.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { setGreeterFaults } from './helpers/greeter-client.js';
import { killGreeters, spawnGreeters } from './helpers/greeter-processes.js';

// Probes with a timeout a busy 2-core machine meets, so only the fault flips a Greeter.
const STEADY = { intervalMs: 1_000, timeoutMs: 900 };

t.test('NOT_SERVING takes a Greeter out, SERVING brings it back', async (t) => {
  const greeters = await spawnGreeters(2);
  t.teardown(() => killGreeters(greeters));
  const gateway = await startGateway({
    healthCheck: STEADY,
    pools: { greeter: { protocol: 'grpc', backends: greeters.map((greeter, index) => ({ id: `greeter-${index + 1}`, url: greeter.url })) } },
    routes: [{ name: 'rpc', pool: 'greeter' }],
  });
  t.teardown(() => gateway.close());
  const state = async (id: string) => (await pool(gateway.adminUrl)).find((entry) => entry.id === id)!;

  await waitFor(async () => (await pool(gateway.adminUrl)).every((entry) => entry.state === 'up'), 10_000, 100);
  t.pass('both Greeters up by their gRPC health');

  await setGreeterFaults(greeters[0]!.address, { notServing: true });
  await waitFor(async () => (await state('greeter-1')).state === 'down', 10_000, 100);
  t.equal((await state('greeter-1')).why, 'grpc health NOT_SERVING', '/pool says why greeter-1 is down');
  t.equal((await state('greeter-2')).state, 'up', 'greeter-2 stays up');

  await setGreeterFaults(greeters[0]!.address, {});
  await waitFor(async () => (await state('greeter-1')).state === 'up', 10_000, 100);
  t.pass('greeter-1 back up once it serves again');
});

t.test('healthCheck.grpcService per pool: a service the Greeters do not know keeps them down', async (t) => {
  const greeters = await spawnGreeters(2);
  t.teardown(() => killGreeters(greeters));
  const gateway = await startGateway({
    healthCheck: STEADY,
    pools: {
      known: { protocol: 'grpc', backends: [{ id: 'known-1', url: greeters[0]!.url }], healthCheck: { grpcService: 'helloworld.Greeter' } },
      unknown: { protocol: 'grpc', backends: [{ id: 'unknown-1', url: greeters[1]!.url }], healthCheck: { grpcService: 'no.Such' } },
    },
    routes: [{ name: 'known', match: { pathPrefix: '/helloworld.Greeter/' }, pool: 'known' }, { name: 'rest', pool: 'unknown' }],
  });
  t.teardown(() => gateway.close());
  await waitFor(async () => (await pool(gateway.adminUrl)).find((entry) => entry.id === 'known-1')?.state === 'up', 10_000, 100);
  await waitFor(async () => (await pool(gateway.adminUrl)).find((entry) => entry.id === 'unknown-1')?.state === 'down', 10_000, 100);
  const unknown = (await pool(gateway.adminUrl)).find((entry) => entry.id === 'unknown-1')!;
  t.equal(unknown.why, 'grpc health: service unknown to the backend', 'the unknown service name is the reason');
});
