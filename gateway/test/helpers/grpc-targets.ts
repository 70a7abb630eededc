// A gRPC pool of Greeter processes behind one conformance target (gateway, or nginx/HAProxy running the rendered
// file) on its h2c port, with a @grpc/grpc-js client channel to that port, ready once every Greeter answered a call.
import type { Client } from '@grpc/grpc-js';
import { freePort } from '../../../bench/free-port.js';
import { waitFor } from './gateway.js';
import { greeterClient, sayHello } from './greeter-client.js';
import type { GreeterProcess } from './greeter-processes.js';
import { startRoutedTarget, type ProxyTarget, type TargetName } from './proxy-targets.js';

export interface GrpcTarget {
  readonly target: ProxyTarget;
  /** host:port of the h2c port the client dials. */
  readonly address: string;
  readonly client: Client;
  stop(): Promise<void>;
}

export async function startGrpcTarget(name: TargetName, greeters: readonly GreeterProcess[]): Promise<GrpcTarget> {
  const h2cPort = await freePort();
  const target = await startRoutedTarget(name, {
    http2: { h2cPort },
    pools: { greeter: { backends: greeters.map((greeter) => greeter.url), protocol: 'grpc' } },
    routes: [{ name: 'rpc', pool: 'greeter' }],
  }, []);
  const address = `127.0.0.1:${h2cPort}`;
  const client = greeterClient(address);
  const stop = async () => {
    client.close();
    await target.stop();
  };
  try {
    // The gateway keeps a backend out until its first good health check (nginx and HAProxy need only to listen):
    // ready once every Greeter has answered a call.
    const seen = new Set<string>();
    await waitFor(async () => {
      const outcome = await sayHello(client, 'Hello', 2_000);
      if (outcome.code === 0 && outcome.backend !== undefined) seen.add(outcome.backend);
      return seen.size === greeters.length;
    }, 15_000, 50);
  } catch (error) {
    await stop();
    throw error;
  }
  return { target, address, client, stop };
}
