// Many backends from one process: a bare node:http server bound to 0.0.0.0 answers on every 127.0.X.Y, so a pool can
// list 1,000 distinct origins (127.0.0.1:P … 127.0.3.250:P) that are all healthy, as in the scale bench.
import { spawn } from 'node:child_process';
import type { Test } from 'tap';
import { freePort } from '../../../bench/free-port.js';
import { spawnGateway, type GatewayProcess } from './gateway-process.js';
import { waitFor } from './gateway.js';

/** The fastest real backend: the point is the gateway's cost, and a busy machine must not starve the backend first. */
const FAST_BACKEND = "require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.argv[1]), '0.0.0.0')";

/** N distinct loopback origins on one port. */
export function loopbackOrigins(count: number, port: number): string[] {
  return Array.from({ length: count }, (_, index) => `http://127.0.${Math.floor(index / 250)}.${(index % 250) + 1}:${port}`);
}

/** A process answering 200 "ok" to every request on 0.0.0.0:port. */
export async function spawnWildcardBackend(): Promise<{ port: number; kill(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', FAST_BACKEND, String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok === true, 15_000);
  return {
    port,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A gateway process whose one pool lists `count` loopback origins of one fast backend; both stopped in teardown. */
export async function startLoopbackFleet(t: Test, count: number, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const backend = await spawnWildcardBackend();
  t.teardown(() => backend.kill());
  const gateway = await spawnGateway({ GATEWAY_BACKENDS: loopbackOrigins(count, backend.port).join(','), ...env });
  t.teardown(async () => {
    gateway.child.kill('SIGKILL');
    await gateway.exited;
  });
  return gateway;
}
