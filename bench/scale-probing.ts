// What N backends in one pool cost the gateway at rest: CPU spent probing them over a measured window,
// how many healthy ones its own probes marked down, and how long /pool and /metrics take to answer.
import { groupCpuSeconds } from './proc-stats.js';
import { loopbackOrigins, startGateway, startWildcardBackend } from './scale-fleet.js';
import { stopProcess } from './processes.js';

export interface ProbingSettings {
  backends: number;
  /** Seconds of probing measured for CPU, after every backend came up. */
  durationSec: number;
  intervalMs: number;
}

export interface ProbingResult {
  backends: number;
  /** Seconds from "gateway listening" until /pool showed every backend up (or the wait gave up). */
  allUpAfterSec: number | undefined;
  /** Health flips to down over the whole run (gateway_backend_transitions_total{to="down"}): 0 when healthy backends stay up. */
  markedDown: number;
  /** Gateway CPU over the window as a share of one core. */
  cpuShareOfCore: number;
  poolMs: { median: number; max: number; bytes: number };
  metricsMs: { median: number; max: number; bytes: number };
}

const UP_WAIT_MS = 20_000;
const TIMED_READS = 5;

export async function measureProbing(settings: ProbingSettings): Promise<ProbingResult> {
  const backend = await startWildcardBackend();
  try {
    const gateway = await startGateway({
      GATEWAY_BACKENDS: loopbackOrigins(settings.backends, backend.port).join(','),
      GATEWAY_HEALTH_CHECK_INTERVAL_MS: String(settings.intervalMs),
    });
    try {
      const started = Date.now();
      const allUpAfterSec = await waitAllUp(gateway.adminUrl, settings.backends, started);
      const cpuBefore = await groupCpuSeconds([gateway.process.pgid]);
      const windowStart = process.hrtime.bigint();
      await new Promise((resolve) => setTimeout(resolve, settings.durationSec * 1000));
      const cpu = (await groupCpuSeconds([gateway.process.pgid])) - cpuBefore;
      const wallSec = Number(process.hrtime.bigint() - windowStart) / 1e9;
      const poolMs = await timedReads(`${gateway.adminUrl}/pool`);
      const metricsMs = await timedReads(`${gateway.adminUrl}/metrics`);
      const markedDown = sumSeries(await (await fetch(`${gateway.adminUrl}/metrics`)).text(), 'gateway_backend_transitions_total', 'to="down"');
      return { backends: settings.backends, allUpAfterSec, markedDown, cpuShareOfCore: cpu / wallSec, poolMs, metricsMs };
    } finally {
      await stopProcess(gateway.process);
    }
  } finally {
    await stopProcess(backend.process);
  }
}

async function waitAllUp(adminUrl: string, count: number, started: number): Promise<number | undefined> {
  while (Date.now() - started < UP_WAIT_MS) {
    const { backends } = (await (await fetch(`${adminUrl}/pool`)).json()) as { backends: Array<{ state: string }> };
    if (backends.filter((entry) => entry.state === 'up').length === count) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/** Wall time of a few sequential GETs (each read to the end), median and max, and the body size. */
async function timedReads(url: string): Promise<{ median: number; max: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < TIMED_READS; i++) {
    const start = performance.now();
    bytes = (await (await fetch(url)).arrayBuffer()).byteLength;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]!, bytes };
}

/** Sum of a metric's samples whose labels contain `label` (e.g. to="down"), from Prometheus text. */
function sumSeries(text: string, name: string, label: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(label)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
