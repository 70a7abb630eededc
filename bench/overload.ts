// `npm run bench:overload -- --scenario backend|cpu`: the gateway under about 3x the load it can serve, with
// overload protection on. Three phases against one gateway and three demo backends: capacity (closed loop: the
// 2xx rate the setup sustains), unloaded (half that rate, paced: the normal p99), overload (3x capacity, paced:
// requests start on schedule whatever the gateway answers, so a slow gateway cannot slow the offer down; each
// paced phase after an uncounted warm-up at its rate).
// Reports the admitted and shed answers apart, the admitted p99 over the unloaded p99 against the 2x target,
// RSS before and after, and whether the gateway still answers. Writes JSON to --out; exits 1 only if the
// gateway died. Bounded: each phase stops after --duration seconds; every process it started is stopped.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { startOverloadFleet } from './overload-fleet.js';
import { parseOverloadOptions, UsageError, USAGE } from './overload-options.js';
import { reportLines, summarize } from './overload-report.js';
import { runPaced, type PacedResult } from './paced-load.js';
import { groupCpuSeconds, sampleRss } from './proc-stats.js';
import { stopAll } from './processes.js';

/** Sockets of the paced phases: enough that admitted requests in flight never hold back the offered rate. */
const PACED_CONNECTIONS = 256;
const WARMUP_SEC = 2;
const RSS_SAMPLE_MS = 250;

async function closedLoop(url: string, durationSec: number, connections: number): Promise<{ okPerSec: number; p99Ms: number }> {
  const result = await autocannon({ url, connections, duration: durationSec, timeout: 10 });
  return { okPerSec: Math.round(result['2xx'] / durationSec), p99Ms: result.latency.p99 };
}

/**
 * The generator's first seconds at a new rate are its own JIT warm-up, which puts a tail on any target (a bare
 * Node server answering 503 at 6,750 req/s: p99 576 ms from a fresh generator, 8.1 ms from one warmed at a lower
 * rate, 1.1 ms in the run after), so each paced phase is preceded by WARMUP_SEC at its rate that the ratio does
 * not count. Its answers are returned all the same: the overload's onset is reported on its own.
 */
async function warmUp(url: string, rate: number): Promise<PacedResult> {
  return runPaced(url, { rate, durationSec: WARMUP_SEC, connections: PACED_CONNECTIONS }, new AbortController().signal);
}

/** A paced phase, with the gateway's and the generator's CPU use during it (in cores: 1 is one core busy all the time). */
async function pacedPhase(url: string, rate: number, durationSec: number, gatewayPgid: number): Promise<PacedResult & { askedPerSec: number; gatewayCores: number; generatorCores: number; generatorLagP99Ms: number }> {
  const cpuBefore = await groupCpuSeconds([gatewayPgid]);
  // The generator's own event-loop lag: answers it could not read in time are counted as the gateway's latency.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const result = await runPaced(url, { rate, durationSec, connections: PACED_CONNECTIONS }, new AbortController().signal);
  lag.disable();
  const gatewayCores = ((await groupCpuSeconds([gatewayPgid])) - cpuBefore) / result.durationSec;
  return { ...result, askedPerSec: rate, gatewayCores, generatorCores: result.clientCpuSeconds / result.durationSec, generatorLagP99Ms: lag.percentile(99) / 1e6 };
}

/** NaN when the admin listener does not answer (the gateway died: the report says so). */
async function metric(adminUrl: string, name: string): Promise<number> {
  const text = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.text(), () => '');
  if (text === '') return Number.NaN;
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The gateway answers a normal request again once the overload is over (a few tries: its backends may still be busy). */
async function stillServing(url: string): Promise<boolean> {
  for (let tries = 0; tries < 10; tries++) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(5_000) })).status === 200) return true;
    } catch {
      // not answering (yet): try again
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

async function main(): Promise<number> {
  const options = parseOverloadOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const say = (what: string) => process.stderr.write(`bench overload: ${what}\n`);
  const fleet = await startOverloadFleet(options);
  const { gateway } = fleet;
  const url = `${gateway.url}/hello`;
  const { durationSec } = options;
  say(`${options.scenario} scenario; ${fleet.placement}`);

  say(`capacity: ${fleet.capacityConnections} connections, closed loop, ${durationSec} s (after a ${WARMUP_SEC} s warm-up)`);
  await closedLoop(url, WARMUP_SEC, fleet.capacityConnections);
  const rssBefore = await metric(gateway.adminUrl, 'process_resident_memory_bytes');
  const measured = await closedLoop(url, durationSec, fleet.capacityConnections);
  const capacity = options.capacity > 0 ? { okPerSec: options.capacity, p99Ms: measured.p99Ms } : measured;
  const halfRate = Math.max(1, Math.round(capacity.okPerSec / 2));
  say(`capacity ${capacity.okPerSec} req/s; unloaded: ${halfRate} req/s paced`);
  await warmUp(url, halfRate);
  const unloaded = await pacedPhase(url, halfRate, durationSec, gateway.pgid);
  const overloadRate = Math.round(capacity.okPerSec * options.factor);
  say(`overload: ${overloadRate} req/s paced on up to ${PACED_CONNECTIONS} connections`);
  const rss = sampleRss([gateway.pgid], RSS_SAMPLE_MS);
  const onset = await warmUp(url, overloadRate);
  const shedBefore = await metric(gateway.adminUrl, 'gateway_shed_total');
  const overload = await pacedPhase(url, overloadRate, durationSec, gateway.pgid);
  const rssPeak = await rss.stop();
  const shedMetric = (await metric(gateway.adminUrl, 'gateway_shed_total')) - shedBefore;
  const rssAfter = await metric(gateway.adminUrl, 'process_resident_memory_bytes');

  const report = summarize({
    options,
    settings: fleet.settings,
    placement: fleet.placement,
    capacity: { perSec: capacity.okPerSec, measuredPerSec: measured.okPerSec, p99Ms: capacity.p99Ms, connections: fleet.capacityConnections },
    unloaded,
    overload,
    onset,
    shedMetric,
    rssBytes: { before: rssBefore, peak: rssPeak, after: rssAfter },
    stillServing: await stillServing(url),
  });
  await mkdir(options.outDir, { recursive: true });
  const file = join(options.outDir, `overload-${options.scenario}-${report.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${reportLines(report).join('\n')}\n\nwrote ${file}\n`);
  return report.stillServing ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
  code = 2;
} finally {
  await stopAll();
}
process.exit(code);
