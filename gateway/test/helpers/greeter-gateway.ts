// N demo Greeter processes behind a gateway's grpc pool `greeter` (route rpc, h2c port) and a @grpc/grpc-js client
// on that port, all stopped at the test's end: what the gRPC pass-through tests start. Active checks are off: the
// tests are about the calls, and a busy machine must not flip a Greeter down.
import type { Client } from '@grpc/grpc-js';
import type { Test } from 'tap';
import { startGateway, type TestGateway } from './gateway.js';
import { greeterClient } from './greeter-client.js';
import { killGreeters, spawnGreeters, type GreeterProcess } from './greeter-processes.js';

export async function startGreeterGateway(t: Test, count: number): Promise<{ greeters: GreeterProcess[]; gateway: TestGateway; client: Client }> {
  const greeters = await spawnGreeters(count);
  t.teardown(() => killGreeters(greeters));
  const gateway = await startGateway({
    http2: { h2cPort: 0 },
    pools: { greeter: { backends: greeters.map((greeter) => greeter.url), protocol: 'grpc', healthCheck: { enabled: false } } },
    routes: [{ name: 'rpc', pool: 'greeter' }],
  });
  t.teardown(() => gateway.close());
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`);
  t.teardown(() => client.close());
  return { greeters, gateway, client };
}
