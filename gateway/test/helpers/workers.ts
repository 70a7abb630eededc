// A multi-process gateway (workers: 2) as users run it, `gateway start` with GATEWAY_* variables, over demo
// backends that are real processes; and its GET /workers.
import { adminCall, TEST_TOKEN } from './admin.js';
import type { BackendProcess } from './backend-processes.js';
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

export async function listWorkers(adminUrl: string): Promise<WorkerEntry[]> {
  return (await adminCall(adminUrl, 'GET', '/workers')).body.workers as WorkerEntry[];
}

/** SIGTERM, then the exit code (or signal name). */
export async function stopGateway(gateway: GatewayProcess): Promise<number | string> {
  if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGTERM');
  return gateway.exited;
}
