// `npm run bench:scale`: what a large pool costs the gateway. By default N backends (1,000) on loopback are
// probed for a measured window: CPU share of a core, healthy backends marked down, /pool and /metrics times.
// --pick times pick() per policy over pools of 10 to 10,000 members instead; --idle N holds N idle client
// connections while normal requests are timed. Every part is bounded in time; Ctrl-C stops every process it started.
import { parseArgs } from 'node:util';
import { stopAll } from './processes.js';
import { spawnSync } from 'node:child_process';
import { measureIdle, openFilesRerun } from './scale-idle.js';
import { pickTable, timePicks } from './scale-pick.js';
import { measureProbing, type TimedReads } from './scale-probing.js';

const USAGE = `usage: npm run bench:scale -- [flags]      (node dist/bench/scale.js after npm run build)
  --backends N   backends in the pool, 127.0.X.Y:PORT on one backend process (default 1000, at most 10000)
  --duration S   seconds of probing measured for CPU, after every backend is up (default 30)
  --interval MS  healthCheck.intervalMs of the gateway (default 1000)
  --pick         instead: time pick() of each selection policy at 10, 100, 1,000 and 10,000 members (about 10 s)
  --idle N       instead: hold N idle keep-alive client connections (one backend) and time a normal client's
                 requests before and while they are held, with the gateway's RSS (ulimit -n raised as needed)`;

function integer(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    process.stderr.write(`--${flag}: expected an integer from ${min} to ${max}, got "${value}"\n${USAGE}\n`);
    process.exit(2);
  }
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backends: { type: 'string' },
      duration: { type: 'string' },
      interval: { type: 'string' },
      pick: { type: 'boolean' },
      idle: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.pick) {
    process.stdout.write(`pick() time per policy (median of 3 runs of 200 ms each, in this process) …\n${pickTable(timePicks(600))}\n`);
    return;
  }
  if (values.idle !== undefined) {
    await idle(integer('idle', values.idle, 10_000, 1, 50_000));
    return;
  }
  const backends = integer('backends', values.backends, 1000, 1, 10_000);
  const durationSec = integer('duration', values.duration, 30, 1, 600);
  const intervalMs = integer('interval', values.interval, 1000, 100, 60_000);
  process.stdout.write(`probing ${backends} backends every ${intervalMs} ms, measuring ${durationSec} s …\n`);
  const result = await measureProbing({ backends, durationSec, intervalMs });
  const ms = (read: TimedReads) =>
    `${read.median.toFixed(1)} ms median, ${read.max.toFixed(1)} ms max, gateway CPU ${read.cpuPerRead.toFixed(1)} ms per read, ${Math.round(read.bytes / 1024)} KB`;
  process.stdout.write(
    [
      `all ${backends} up after: ${result.allUpAfterSec === undefined ? 'never (gave up after 20 s)' : `${result.allUpAfterSec.toFixed(1)} s`}`,
      `marked down by the gateway's probes: ${result.markedDown}`,
      `gateway CPU while probing: ${(result.cpuShareOfCore * 100).toFixed(1)} % of one core`,
      `the floor, a bare undici client sending the same probes: ${Number.isNaN(result.floorShareOfCore) ? 'measured at --interval 1000 only' : `${(result.floorShareOfCore * 100).toFixed(1)} % of one core`}`,
      `GET /pool:    ${ms(result.poolMs)}`,
      `GET /metrics: ${ms(result.metricsMs)}`,
    ].join('\n') + '\n',
  );
}

async function idle(connections: number): Promise<void> {
  const rerun = await openFilesRerun(connections);
  if (rerun !== undefined) {
    // The limit is per process and inherited: only a new process (and the gateway it starts) can have it raised.
    process.exitCode = spawnSync(rerun[0]!, rerun.slice(1), { stdio: 'inherit' }).status ?? 1;
    return;
  }
  process.stdout.write(`holding ${connections} idle keep-alive client connections on the gateway …\n`);
  const result = await measureIdle(connections);
  const latency = (read: { medianMs: number; p99Ms: number }) => `${read.medianMs.toFixed(2)} ms median, ${read.p99Ms.toFixed(2)} ms p99`;
  process.stdout.write(
    [
      `idle connections opened: ${result.opened}, still open at the end: ${result.stillOpen}`,
      `gateway RSS: ${result.rssBeforeMb.toFixed(0)} MB before, ${result.rssHeldMb.toFixed(0)} MB while held`,
      `a normal request before:     ${latency(result.before)}`,
      `a normal request while held: ${latency(result.held)}`,
    ].join('\n') + '\n',
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().then(() => process.exit(130)));
try {
  await main();
} catch (error) {
  process.stderr.write(`bench:scale failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
