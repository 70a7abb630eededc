// `npm run bench:overload`: the gateway under about 3x the load it can serve, with overload shedding on.
// Three phases against one gateway and three demo backends: capacity (closed loop: the 2xx rate it sustains),
// unloaded (half that rate: the normal p99), overload (3x capacity offered). Reports how many requests got the
// fast 503 and how fast, the p99 of the admitted ones against the unloaded p99 (target: within 2x), the
// gateway's RSS before and after, and whether it still answers. Writes JSON to --out; exits 1 if the gateway
// died. Bounded: each phase stops after --duration seconds; every process it started is stopped at the end.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { singlePoolEnv, startBackends, startGateway, waitForPool } from './chaos-fleet.js';
import { stopAll } from './processes.js';

const USAGE = `usage: npm run bench:overload -- [--duration S] [--max-concurrent N] [--max-delay MS] [--out DIR]
  --duration S        seconds per phase (capacity, unloaded, overload; default 10)
  --max-concurrent N  overload.maxConcurrentRequests of the gateway (default 64)
  --max-delay MS      overload.maxEventLoopDelayMs of the gateway (default 100; 0: off)
  --out DIR           results directory (default bench/results)`;

const CAPACITY_CONNECTIONS = 50;
/** Enough connections that the offered rate is not held back by slow answers. */
const OVERLOAD_CONNECTIONS = 400;
const OVERLOAD_FACTOR = 3;
const CLIENT_TIMEOUT_SEC = 10;

interface Phase {
  offeredPerSec: number | undefined;
  sentPerSec: number;
  /** Milliseconds per answer, by status; transport errors and timeouts counted apart. */
  latencies: Map<number, number[]>;
  errors: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function run(url: string, durationSec: number, connections: number, overallRate?: number): Promise<Phase> {
  const phase: Phase = { offeredPerSec: overallRate, sentPerSec: 0, latencies: new Map(), errors: 0 };
  let sent = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: durationSec, timeout: CLIENT_TIMEOUT_SEC, ...(overallRate ? { overallRate } : {}) }, (error) => {
      if (error) return reject(error);
      phase.sentPerSec = Math.round(sent / durationSec);
      for (const values of phase.latencies.values()) values.sort((a, b) => a - b);
      resolve(phase);
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      sent += 1;
      let values = phase.latencies.get(status);
      if (values === undefined) phase.latencies.set(status, (values = []));
      values.push(ms);
    });
    instance.on('reqError', () => {
      sent += 1;
      phase.errors += 1;
    });
  });
}

const ok = (phase: Phase) => phase.latencies.get(200) ?? [];
const shed = (phase: Phase) => phase.latencies.get(503) ?? [];
const ms = (value: number) => Math.round(value * 100) / 100;

async function metric(adminUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function alive(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status === 200;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, 'max-concurrent': { type: 'string', default: '64' }, 'max-delay': { type: 'string', default: '100' }, out: { type: 'string', default: 'bench/results' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const durationSec = Number(values.duration);
  const maxConcurrent = Number(values['max-concurrent']);
  const maxDelay = Number(values['max-delay']);
  if (![durationSec, maxConcurrent].every((n) => Number.isInteger(n) && n >= 1) || !Number.isInteger(maxDelay) || maxDelay < 0) {
    process.stderr.write(`bench: --duration and --max-concurrent are integers >= 1, --max-delay >= 0\n${USAGE}\n`);
    return 2;
  }
  const say = (what: string) => process.stderr.write(`bench overload: ${what}\n`);
  const backends = await startBackends(['backend-1', 'backend-2', 'backend-3']);
  const gateway = await startGateway({
    ...singlePoolEnv(backends),
    GATEWAY_OVERLOAD_MAX_CONCURRENT_REQUESTS: String(maxConcurrent),
    ...(maxDelay > 0 ? { GATEWAY_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: String(maxDelay) } : {}),
  }, () => 0);
  await waitForPool(gateway.adminUrl, backends.map((backend) => backend.id));
  const url = `${gateway.url}/hello`;

  say(`capacity: ${CAPACITY_CONNECTIONS} connections, closed loop, ${durationSec} s`);
  await run(url, 2, CAPACITY_CONNECTIONS); // warm-up, discarded
  const rssBefore = await metric(gateway.adminUrl, 'process_resident_memory_bytes');
  const capacityPhase = await run(url, durationSec, CAPACITY_CONNECTIONS);
  const capacity = Math.round(ok(capacityPhase).length / durationSec);
  say(`capacity ${capacity} req/s; unloaded: ${Math.round(capacity / 2)} req/s offered`);
  const unloaded = await run(url, durationSec, CAPACITY_CONNECTIONS, Math.max(1, Math.round(capacity / 2)));
  say(`overload: ${capacity * OVERLOAD_FACTOR} req/s offered on ${OVERLOAD_CONNECTIONS} connections`);
  const shedBefore = await metric(gateway.adminUrl, 'gateway_shed_total');
  const overload = await run(url, durationSec, OVERLOAD_CONNECTIONS, capacity * OVERLOAD_FACTOR);
  const shedMetric = (await metric(gateway.adminUrl, 'gateway_shed_total')) - shedBefore;
  const rssAfter = await metric(gateway.adminUrl, 'process_resident_memory_bytes');
  const stillServing = await alive(url);

  const unloadedP99 = percentile(ok(unloaded), 99);
  const admittedP99 = percentile(ok(overload), 99);
  const report = {
    scenario: 'overload',
    date: new Date().toISOString(),
    durationSec,
    gateway: { maxConcurrentRequests: maxConcurrent, maxEventLoopDelayMs: maxDelay || null },
    capacityPerSec: capacity,
    capacityP99Ms: ms(percentile(ok(capacityPhase), 99)),
    unloaded: { offeredPerSec: unloaded.offeredPerSec, okPerSec: Math.round(ok(unloaded).length / durationSec), p50Ms: ms(percentile(ok(unloaded), 50)), p99Ms: ms(unloadedP99), other: unloaded.latencies.size - (unloaded.latencies.has(200) ? 1 : 0), errors: unloaded.errors },
    overload: {
      offeredPerSec: overload.offeredPerSec,
      sentPerSec: overload.sentPerSec,
      admitted: { count: ok(overload).length, perSec: Math.round(ok(overload).length / durationSec), p50Ms: ms(percentile(ok(overload), 50)), p99Ms: ms(admittedP99) },
      shed: { count: shed(overload).length, p50Ms: ms(percentile(shed(overload), 50)), p99Ms: ms(percentile(shed(overload), 99)), gatewayShedTotal: shedMetric },
      otherStatuses: Object.fromEntries([...overload.latencies].filter(([status]) => status !== 200 && status !== 503).map(([status, list]) => [status, list.length])),
      errors: overload.errors,
    },
    admittedP99OverUnloaded: ms(admittedP99 / unloadedP99),
    rssBytes: { before: rssBefore, after: rssAfter },
    stillServing,
  };
  await mkdir(values.out!, { recursive: true });
  const file = join(values.out!, `overload-${report.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  process.stdout.write(`${[
    `overload, ${durationSec} s per phase, overload.maxConcurrentRequests ${maxConcurrent}, maxEventLoopDelayMs ${maxDelay || 'off'}`,
    `capacity (closed loop, ${CAPACITY_CONNECTIONS} connections): ${capacity} req/s, p99 ${report.capacityP99Ms} ms`,
    `unloaded (${unloaded.offeredPerSec} req/s offered): p50 ${report.unloaded.p50Ms} ms, p99 ${report.unloaded.p99Ms} ms`,
    `overload (${overload.offeredPerSec} req/s offered, ${overload.sentPerSec} req/s sent): admitted ${report.overload.admitted.count} (${report.overload.admitted.perSec}/s) p50 ${report.overload.admitted.p50Ms} ms p99 ${report.overload.admitted.p99Ms} ms; shed 503 ${report.overload.shed.count} p50 ${report.overload.shed.p50Ms} ms p99 ${report.overload.shed.p99Ms} ms; other ${JSON.stringify(report.overload.otherStatuses)}, errors ${overload.errors}`,
    `admitted p99 / unloaded p99: ${report.admittedP99OverUnloaded} (target <= 2)`,
    `gateway RSS: ${mb(rssBefore)} before, ${mb(rssAfter)} after; still serving: ${stillServing ? 'yes' : 'NO'}`,
  ].join('\n')}\n\nwrote ${file}\n`);
  return stillServing ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} finally {
  await stopAll();
}
process.exit(code);
