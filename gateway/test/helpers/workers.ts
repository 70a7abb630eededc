// A multi-process gateway (workers: 2) as users run it, `gateway start` with GATEWAY_* variables, over demo
// backends that are real processes; its GET /workers; autocannon load to run while workers come and go.
import autocannon from 'autocannon';
import { adminCall, TEST_TOKEN } from './admin.js';
import type { Test } from 'tap';
import { killAll, spawnBackends, type BackendProcess } from './backend-processes.js';
import { spawnGateway, type GatewayProcess } from './gateway-process.js';

export interface WorkerEntry {
  id: number;
  pid: number;
  state: string;
  inFlight: number;
  served: number;
}

/** workers: 2 over the given backends, with the admin token set and probes every 300 ms. */
export function spawnWorkersGateway(backends: readonly BackendProcess[], env: Record<string, string> = {}): Promise<GatewayProcess> {
  return spawnGateway({
    GATEWAY_WORKERS: '2',
    GATEWAY_BACKENDS: backends.map((backend) => backend.url).join(','),
    GATEWAY_ADMIN_TOKEN: TEST_TOKEN,
    GATEWAY_HEALTH_CHECK_INTERVAL_MS: '300',
    GATEWAY_HEALTH_CHECK_TIMEOUT_MS: '250',
    GATEWAY_HEALTH_CHECK_JITTER: '0',
    ...env,
  });
}

/** `count` demo backends and workers: 2 over them, all stopped at the test's end. */
export async function startWorkersFleet(t: Test, count: number): Promise<{ backends: BackendProcess[]; gateway: GatewayProcess }> {
  const backends = await spawnBackends(count);
  const gateway = await spawnWorkersGateway(backends);
  t.teardown(async () => {
    await stopGateway(gateway);
    await killAll(backends);
  });
  return { backends, gateway };
}

export async function listWorkers(adminUrl: string): Promise<WorkerEntry[]> {
  return (await adminCall(adminUrl, 'GET', '/workers')).body.workers as WorkerEntry[];
}

/** SIGTERM, then the exit code (or signal name). */
export async function stopGateway(gateway: GatewayProcess): Promise<number | string> {
  if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGTERM');
  return gateway.exited;
}

export interface Load {
  /** Stops the clients and resolves with autocannon's result. */
  stop(): Promise<autocannon.Result>;
}

/** autocannon clients on GET /hello until stop() (at most maxSeconds). */
export function startLoad(url: string, connections: number, maxSeconds = 120): Load {
  let instance: autocannon.Instance;
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ url: `${url}/hello`, connections, duration: maxSeconds }, (error, done) => (error ? reject(error) : resolve(done)));
  });
  return {
    stop() {
      instance.stop();
      return result;
    },
  };
}

/** Waits until the gateway has `count` listening workers and none of the `old` pids. */
export async function waitForNewWorkers(adminUrl: string, old: readonly number[], count = 2, timeoutMs = 90_000): Promise<WorkerEntry[]> {
  const started = Date.now();
  for (;;) {
    const workers = await listWorkers(adminUrl);
    if (workers.length === count && workers.every((worker) => worker.state === 'listening' && !old.includes(worker.pid))) return workers;
    if (Date.now() - started > timeoutMs) throw new Error(`workers not replaced within ${timeoutMs} ms: ${JSON.stringify(workers)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
