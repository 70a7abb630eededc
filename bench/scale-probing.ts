// What N backends in one pool cost the gateway at rest: CPU spent probing them over a measured window,
// how many healthy ones its own probes marked down, and how long /pool and /metrics take to answer; then, against
// the same backend, what a bare undici client sending the same probes costs (the floor under the gateway's figure).
import { fileURLToPath } from 'node:url';
import { groupCpuSeconds } from './proc-stats.js';
import { loopbackOrigins, startGateway, startWildcardBackend } from './scale-fleet.js';
import { startProcess, stopProcess } from './processes.js';

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
  /** The same over an equal window for scale-probe-floor.ts: a bare undici client sending the same probes. */
  floorShareOfCore: number;
  poolMs: TimedReads;
  metricsMs: TimedReads;
}

/** Wall times of a few reads, and the gateway's own CPU per read: on a loaded machine the wall time is mostly waiting for a core. */
export interface TimedReads {
  median: number;
  max: number;
  cpuPerRead: number;
  bytes: number;
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
      const cpuShareOfCore = await cpuShare(gateway.process.pgid, settings.durationSec);
      const poolMs = await timedReads(`${gateway.adminUrl}/pool`, gateway.process.pgid);
      const metricsMs = await timedReads(`${gateway.adminUrl}/metrics`, gateway.process.pgid);
      const markedDown = sumSeries(await (await fetch(`${gateway.adminUrl}/metrics`)).text(), 'gateway_backend_transitions_total', 'to="down"');
      await stopProcess(gateway.process);
      const floorShareOfCore = settings.intervalMs === 1000 ? await floorShare(backend.port, settings) : NaN;
      return { backends: settings.backends, allUpAfterSec, markedDown, cpuShareOfCore, floorShareOfCore, poolMs, metricsMs };
    } finally {
      await stopProcess(gateway.process);
    }
  } finally {
    await stopProcess(backend.process);
  }
}

/** CPU of a process group over `seconds` of wall time, as a share of one core. */
async function cpuShare(pgid: number, seconds: number): Promise<number> {
  const before = await groupCpuSeconds([pgid]);
  const start = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = (await groupCpuSeconds([pgid])) - before;
  return cpu / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** The bare client's share of a core, measured like the gateway's after a 3 s start (it connects to every origin). */
async function floorShare(port: number, settings: ProbingSettings): Promise<number> {
  const script = fileURLToPath(new URL('./scale-probe-floor.js', import.meta.url));
  const floor = startProcess('probe-floor', process.execPath, [script, String(port), String(settings.backends)]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return await cpuShare(floor.pgid, settings.durationSec);
  } finally {
    await stopProcess(floor);
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

/**
 * Wall time of a few sequential GETs (each read to the end), median and max, the body size, and the gateway's CPU
 * per read (its probing included, about 1 ms per 100 ms of wall time at 1,000 backends: small beside a read).
 */
async function timedReads(url: string, pgid: number): Promise<TimedReads> {
  const times: number[] = [];
  let bytes = 0;
  const cpuBefore = await groupCpuSeconds([pgid]);
  for (let i = 0; i < TIMED_READS; i++) {
    const start = performance.now();
    bytes = (await (await fetch(url)).arrayBuffer()).byteLength;
    times.push(performance.now() - start);
  }
  const cpuPerRead = (((await groupCpuSeconds([pgid])) - cpuBefore) * 1000) / TIMED_READS;
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]!, cpuPerRead, bytes };
}

/** Sum of a metric's samples whose labels contain `label` (e.g. to="down"), from Prometheus text. */
function sumSeries(text: string, name: string, label: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(label)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
