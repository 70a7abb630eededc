// The command line of `npm run bench:overload`: which bottleneck to overload (the backends or the gateway's CPU),
// its settings and their defaults, and one-line errors naming the flag that is wrong.
import { parseArgs } from 'node:util';

export type ScenarioName = 'backend' | 'cpu';

export interface OverloadOptions {
  scenario: ScenarioName;
  durationSec: number;
  /** Offered load in the overload phase, as a multiple of the measured capacity. */
  factor: number;
  /** req/s to take as the capacity instead of the closed-loop phase's (0: measure it). */
  capacity: number;
  /** backend: the demo backends' added delay per request (their service time). */
  delayMs: number;
  /** backend: the pool's concurrency section (capacity = 3 backends × maxPerBackend / service time). */
  maxPerBackend: number;
  maxPending: number;
  queueTimeoutMs: number;
  /** cpu: gateway-wide shedding (0: off). */
  maxEventLoopDelayMs: number;
  maxConcurrentRequests: number;
  /** cpu: gateway and backends on CPU 0, the load generator alone on CPU 1. */
  pin: boolean;
  outDir: string;
}

export const USAGE = `usage: npm run bench:overload -- [--scenario backend|cpu] [flags]
  --scenario S          backend (default): slow backends behind a per-backend cap are the bottleneck;
                        cpu: fast backends, the gateway's own CPU is the bottleneck
  --duration S          seconds per phase (capacity, unloaded, overload; default 8)
  --factor F            overload offered as F × the measured capacity (default 3)
  --capacity N          take N req/s as the capacity instead of measuring it (for shedding settings that
                        already shed in the closed-loop capacity phase and would lower the figure)
 backend scenario:
  --delay MS            each demo backend's service time (its /faults delayMs; default 50)
  --max-per-backend N   concurrency.maxPerBackend (default 4)
  --max-pending N       concurrency.maxPending (default 8)
  --queue-timeout MS    concurrency.queueTimeoutMs (default 20)
 cpu scenario:
  --max-delay MS        overload.maxEventLoopDelayMs (default 0: off)
  --max-concurrent N    overload.maxConcurrentRequests (default 32; 0: off)
  --no-pin              do not pin (default: gateway and backends on CPU 0, the load generator on CPU 1, with taskset)
  --out DIR             results directory (default bench/results)
Exits 1 only if the gateway crashed or stopped answering; the latency ratio is a figure, printed with the 2x target.`;

export class UsageError extends Error {}

function integer(flag: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`--${flag}: expected an integer from ${min} to ${max}, got "${value}"`);
  return number;
}

/** undefined: --help was asked for. */
export function parseOverloadOptions(args: string[]): OverloadOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        scenario: { type: 'string', default: 'backend' },
        duration: { type: 'string', default: '8' },
        factor: { type: 'string', default: '3' },
        capacity: { type: 'string', default: '0' },
        delay: { type: 'string', default: '50' },
        'max-per-backend': { type: 'string', default: '4' },
        'max-pending': { type: 'string', default: '8' },
        'queue-timeout': { type: 'string', default: '20' },
        'max-delay': { type: 'string', default: '0' },
        'max-concurrent': { type: 'string', default: '32' },
        'no-pin': { type: 'boolean', default: false },
        out: { type: 'string', default: 'bench/results' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    // parseArgs's own errors (an unknown flag, a value that looks like a flag) are the user's too.
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  if (values.scenario !== 'backend' && values.scenario !== 'cpu') throw new UsageError(`--scenario: expected backend or cpu, got "${values.scenario}"`);
  const factor = Number(values.factor);
  if (!(factor >= 1 && factor <= 10)) throw new UsageError(`--factor: expected a number from 1 to 10, got "${values.factor}"`);
  return {
    scenario: values.scenario,
    durationSec: integer('duration', values.duration, 1, 60),
    factor,
    capacity: integer('capacity', values.capacity, 0, 1_000_000),
    delayMs: integer('delay', values.delay, 1, 10_000),
    maxPerBackend: integer('max-per-backend', values['max-per-backend'], 1, 10_000),
    maxPending: integer('max-pending', values['max-pending'], 0, 100_000),
    queueTimeoutMs: integer('queue-timeout', values['queue-timeout'], 1, 60_000),
    maxEventLoopDelayMs: integer('max-delay', values['max-delay'], 0, 10_000),
    maxConcurrentRequests: integer('max-concurrent', values['max-concurrent'], 0, 1_000_000),
    pin: !values['no-pin'],
    outDir: values.out,
  };
}
