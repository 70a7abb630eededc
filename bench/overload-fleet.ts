// The processes of one overload scenario, set up so that the bottleneck is the one the scenario names.
// backend: demo backends with a fixed service time behind the pool's per-backend cap, so capacity is
// backends × maxPerBackend / service time and the gateway has CPU to spare for shedding the excess.
// cpu: fast backends, and the gateway's own CPU is what runs out; the gateway and the backends are pinned to
// CPU 0 and the load generator (this process) to CPU 1, so the generator can really offer a multiple of what
// the gateway serves instead of competing with it for the same core.
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { setFaults, singlePoolEnv, startBackends, startGateway, waitForPool, type ChaosGateway } from './chaos-fleet.js';
import type { OverloadOptions } from './overload-options.js';

const run = promisify(execFile);

const BACKEND_IDS = ['backend-1', 'backend-2', 'backend-3'];
/**
 * Closed-loop connections of the cpu scenario's capacity phase: enough to keep one core busy, and under
 * overload.maxConcurrentRequests so that the capacity phase measures serving, not shedding.
 */
const CPU_CAPACITY_CONNECTIONS = 16;

/** The gateway's variables for the settings above (backendDelayMs is the backends' own). */
const ENV_NAMES: Record<string, string> = {
  'concurrency.maxPerBackend': 'GATEWAY_CONCURRENCY_MAX_PER_BACKEND',
  'concurrency.maxPending': 'GATEWAY_CONCURRENCY_MAX_PENDING',
  'concurrency.queueTimeoutMs': 'GATEWAY_CONCURRENCY_QUEUE_TIMEOUT_MS',
  'overload.maxEventLoopDelayMs': 'GATEWAY_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS',
  'overload.maxConcurrentRequests': 'GATEWAY_OVERLOAD_MAX_CONCURRENT_REQUESTS',
};

export interface OverloadFleet {
  gateway: ChaosGateway;
  /** The gateway's shedding settings, for the report. */
  settings: Record<string, number | null>;
  /** Closed-loop connections that measure capacity: in the backend scenario exactly the backends' slots. */
  capacityConnections: number;
  /** Where the processes run. */
  placement: string;
}

export async function startOverloadFleet(options: OverloadOptions): Promise<OverloadFleet> {
  const backends = await startBackends(BACKEND_IDS);
  const off = (value: number) => (value > 0 ? value : null);
  const settings: Record<string, number | null> =
    options.scenario === 'backend'
      ? { backendDelayMs: options.delayMs, 'concurrency.maxPerBackend': options.maxPerBackend, 'concurrency.maxPending': options.maxPending, 'concurrency.queueTimeoutMs': options.queueTimeoutMs }
      : { 'overload.maxEventLoopDelayMs': off(options.maxEventLoopDelayMs), 'overload.maxConcurrentRequests': off(options.maxConcurrentRequests) };
  const env: Record<string, string> = { ...singlePoolEnv(backends) };
  for (const [key, value] of Object.entries(settings)) if (value !== null && ENV_NAMES[key] !== undefined) env[ENV_NAMES[key]] = String(value);
  const gateway = await startGateway(env, () => 0);
  await waitForPool(gateway.adminUrl, BACKEND_IDS);
  if (options.scenario === 'backend') await Promise.all(backends.map((backend) => setFaults(backend, { delayMs: options.delayMs })));

  let placement = 'not pinned (gateway, backends and load generator share every core)';
  if (options.scenario === 'cpu' && options.pin) {
    if (availableParallelism() < 2) placement = 'not pinned: fewer than 2 CPUs';
    else {
      await pin('0', [gateway.pgid, ...backends.map((backend) => backend.process!.pgid)]);
      await pin('1', [process.pid]);
      placement = 'gateway and backends on CPU 0, load generator on CPU 1 (taskset)';
    }
  }
  return { gateway, settings, capacityConnections: options.scenario === 'backend' ? BACKEND_IDS.length * options.maxPerBackend : capacityConnections(options.maxConcurrentRequests), placement };
}

function capacityConnections(maxConcurrentRequests: number): number {
  return maxConcurrentRequests > 0 ? Math.min(CPU_CAPACITY_CONNECTIONS, Math.max(1, Math.floor(maxConcurrentRequests / 2))) : CPU_CAPACITY_CONNECTIONS;
}

/** Every thread of each process (threads started later inherit it). */
async function pin(cpus: string, pids: number[]): Promise<void> {
  for (const pid of pids) await run('taskset', ['-a', '-c', '-p', cpus, String(pid)]);
}
