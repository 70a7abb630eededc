// A fixed request rate that is really fixed: requests start on a 1 ms schedule (rate × elapsed time, never in
// bursts), whatever the target answers. autocannon's --rate lets each connection send its per-second quota back to
// back and then wait for the next second, so its "fixed rate" is full-speed bursts and its p99 measures queueing
// in those bursts. This is the open-loop load that an added-latency figure needs.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PacedSettings {
  rate: number;
  durationSec: number;
  /** Sockets the requests share; a request finding all busy waits in undici's queue, and that wait is counted. */
  connections: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
}

export interface PacedResult {
  requests: number;
  durationSec: number;
  latencyMs: Percentiles;
  /** The answers of each status apart (the overload bench tells admitted 200s from shed 503s). */
  byStatus: Map<number, { count: number; latencyMs: Percentiles }>;
  errors: number;
  non2xx: number;
  clientCpuSeconds: number;
}

/** The schedule is checked this often; Node's timers do not fire sooner than 1 ms. */
const TICK_MS = 1;
/** A target that has not answered this long after the schedule ended is given up on (and counted as errors). */
const DRAIN_LIMIT_MS = 30_000;

export async function runPaced(url: string, settings: PacedSettings, signal: AbortSignal): Promise<PacedResult> {
  const target = new URL(url);
  const path = `${target.pathname}${target.search}`;
  const pool = new Pool(target.origin, { connections: settings.connections, pipelining: 1, headersTimeout: DRAIN_LIMIT_MS, bodyTimeout: DRAIN_LIMIT_MS });
  // Microseconds, as the autocannon path records them, so both tools' percentiles read alike.
  const latency = createHistogram();
  const statusLatency = new Map<number, RecordableHistogram>();
  const total = Math.max(1, Math.round(settings.rate * settings.durationSec));
  const cpuBefore = process.cpuUsage();
  let started = 0;
  let finished = 0;
  let errors = 0;
  let non2xx = 0;
  let timer: NodeJS.Timeout | undefined;

  const send = async () => {
    const sentAt = performance.now();
    try {
      const response = await pool.request({ path, method: 'GET' });
      await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      if (response.statusCode < 200 || response.statusCode > 299) non2xx++;
      const micros = Math.max(1, Math.round((performance.now() - sentAt) * 1000));
      latency.record(micros);
      let ofStatus = statusLatency.get(response.statusCode);
      if (ofStatus === undefined) statusLatency.set(response.statusCode, (ofStatus = createHistogram()));
      ofStatus.record(micros);
    } catch {
      errors++;
    }
    finished++;
  };

  const begin = performance.now();
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      resolve();
    };
    signal.addEventListener('abort', stop);
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - begin) * settings.rate) / 1000));
      while (started < due) {
        started++;
        void send();
      }
      if (started < total) timer = setTimeout(tick, TICK_MS);
      else stop();
    };
    tick();
  });
  const scheduledSec = (performance.now() - begin) / 1000;

  // Let the last requests finish: their latency counts like every other's.
  const drainUntil = performance.now() + DRAIN_LIMIT_MS;
  while (finished < started && performance.now() < drainUntil && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, 10));
  const cpu = process.cpuUsage(cpuBefore);
  // Read before the pool is destroyed: requests still unanswered count once, as errors.
  const result: PacedResult = {
    requests: latency.count,
    durationSec: scheduledSec,
    latencyMs: percentiles(latency),
    byStatus: new Map([...statusLatency].map(([status, histogram]) => [status, { count: histogram.count, latencyMs: percentiles(histogram) }])),
    errors: errors + (started - finished),
    non2xx,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  await pool.destroy();
  return result;
}

function percentiles(histogram: RecordableHistogram): Percentiles {
  const ms = (percentile: number) => (histogram.count > 0 ? histogram.percentile(percentile) / 1000 : 0);
  return { p50: ms(50), p99: ms(99), p999: ms(99.9) };
}
