// One measured run: load from autocannon or the paced generator (in this process) or wrk or h2load (child
// processes) against one target, while the target's own CPU time and resident memory are read from /proc.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { runH2load, type H2loadPlan } from './h2load.js';
import { runPaced } from './paced-load.js';
import { startProcess, stopProcess } from './processes.js';
import { groupCpuSeconds, groupPids, reapedChildrenCpuSeconds, sampleRss } from './proc-stats.js';
import type { Target } from './targets.js';

export const TOOLS = ['autocannon', 'wrk', 'paced', 'h2load'] as const;
export type Tool = (typeof TOOLS)[number];

export interface LoadSettings {
  connections: number;
  durationSec: number;
  pipelining: number;
  /** HTTP/2 streams in flight per connection (h2load; default 1). */
  streams?: number;
  /** Fixed overall request rate (paced, or autocannon's per-second quota); undefined: as fast as the target answers. */
  rate: number | undefined;
}

export interface Measurement {
  tool: Tool;
  /** Responses received (any status). */
  requests: number;
  durationSec: number;
  reqPerSec: number;
  latencyMs: { p50: number; p99: number; p999: number };
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses outside 2xx (wrk counts only status ≥ 400). */
  non2xx: number;
  /** CPU seconds of the target's processes during the run. */
  cpuSeconds: number;
  /** CPU seconds of the load generator during the run (shows when the generator, not the target, is the limit). */
  clientCpuSeconds: number;
  peakRssBytes: number;
}

type LoadResult = Omit<Measurement, 'cpuSeconds' | 'peakRssBytes'>;

/** What a run needs besides its settings: wrk's report script, h2load's plan (--protocol other than h1), Ctrl-C. */
export interface RunContext {
  wrkScript: string;
  h2load?: H2loadPlan;
  signal: AbortSignal;
}

/** RSS is sampled this often during a run; /proc reads are cheap next to the load. */
const RSS_SAMPLE_MS = 500;
/** A run that overruns its duration by this much is stopped (a stuck target must not hang the bench). */
const OVERRUN_MS = 30_000;

// wrk reports its latency histogram only as text with fixed percentiles; this prints what we need as JSON.
const WRK_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,"p50":%d,"p99":%d,"p999":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
`;

export async function writeWrkScript(dir: string): Promise<string> {
  const file = join(dir, 'report.lua');
  await writeFile(file, WRK_SCRIPT);
  return file;
}

/** Runs one tool against one target and reads the target's CPU and peak RSS over the same interval. */
export async function measure(tool: Tool, target: Target, settings: LoadSettings, context: RunContext): Promise<Measurement> {
  const rss = sampleRss(await groupPids(target.pgids), RSS_SAMPLE_MS);
  try {
    const cpuBefore = await groupCpuSeconds(target.pgids);
    const load = await runLoad(tool, target.url, settings, context).catch(async (error: unknown) => {
      await failIfGone(target, error);
      throw error;
    });
    const cpuSeconds = (await groupCpuSeconds(target.pgids)) - cpuBefore;
    await failIfGone(target);
    return { ...load, cpuSeconds, peakRssBytes: await rss.stop() };
  } finally {
    // A failed run must not leave the sampler's interval behind: it would keep the bench from exiting.
    await rss.stop();
  }
}

/** A target that died during the run (a crash when clients leave, say) is named as such, not measured as a slow one. */
async function failIfGone(target: Target, cause?: unknown): Promise<void> {
  if ((await groupPids(target.pgids)).length > 0) return;
  throw new Error(`${target.name} is no longer running after this run: it exited or was killed during the load`, { cause });
}

function runLoad(tool: Tool, url: string, settings: LoadSettings, context: RunContext): Promise<LoadResult> {
  switch (tool) {
    case 'autocannon':
      return runAutocannon(url, settings, context.signal);
    case 'wrk':
      return runWrk(url, settings, context);
    case 'paced':
      return runPacedLoad(url, settings, context.signal);
    case 'h2load':
      if (context.h2load === undefined) throw new Error('h2load needs a --protocol other than h1');
      return runH2load(context.h2load, url, settings, context.signal);
  }
}

function runAutocannon(url: string, settings: LoadSettings, signal: AbortSignal): Promise<LoadResult> {
  // autocannon's own histogram has whole-millisecond buckets; ours keeps microseconds (sub-ms p99s matter).
  const histogram = createHistogram();
  const cpuBefore = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: settings.connections, duration: settings.durationSec, pipelining: settings.pipelining, overallRate: settings.rate },
      (error, result) => {
        clearTimeout(guard);
        signal.removeEventListener('abort', stop);
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const cpu = process.cpuUsage(cpuBefore);
        resolve({
          tool: 'autocannon',
          requests: result.requests.total,
          durationSec: result.duration,
          reqPerSec: result.requests.total / result.duration,
          latencyMs: { p50: histogram.percentile(50) / 1000, p99: histogram.percentile(99) / 1000, p999: histogram.percentile(99.9) / 1000 },
          errors: result.errors,
          non2xx: result.non2xx,
          clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => histogram.record(Math.max(1, Math.round(responseTime * 1000))));
    const stop = () => instance.stop();
    signal.addEventListener('abort', stop);
    const guard = setTimeout(stop, settings.durationSec * 1000 + OVERRUN_MS);
  });
}

async function runPacedLoad(url: string, settings: LoadSettings, signal: AbortSignal): Promise<LoadResult> {
  if (settings.rate === undefined) throw new Error('the paced generator needs a rate');
  const paced = await runPaced(url, { rate: settings.rate, durationSec: settings.durationSec, connections: settings.connections }, signal);
  return { tool: 'paced', ...paced, reqPerSec: paced.requests / paced.durationSec };
}

async function runWrk(url: string, settings: LoadSettings, context: RunContext): Promise<LoadResult> {
  // One thread: wrk's single event loop outruns every target here, and leaves the other core to the target.
  const args = ['-t1', `-c${settings.connections}`, `-d${settings.durationSec}s`, '-s', context.wrkScript, url];
  const reapedBefore = await reapedChildrenCpuSeconds();
  const wrk = startProcess('wrk', 'wrk', args);
  const stop = () => void stopProcess(wrk);
  context.signal.addEventListener('abort', stop);
  const guard = setTimeout(stop, settings.durationSec * 1000 + OVERRUN_MS);
  let report: string | undefined;
  wrk.onLine((line) => {
    if (line.startsWith('{"requests"')) report = line;
  });
  await wrk.exited;
  clearTimeout(guard);
  context.signal.removeEventListener('abort', stop);
  if (!report) throw new Error(`wrk ended without a report (exit ${wrk.child.exitCode ?? wrk.child.signalCode}):\n  ${wrk.lastLines.join('\n  ')}`);
  const parsed = JSON.parse(report) as { requests: number; durationUs: number; errors: number; non2xx: number; p50: number; p99: number; p999: number };
  const durationSec = parsed.durationUs / 1e6;
  return {
    tool: 'wrk',
    requests: parsed.requests,
    durationSec,
    reqPerSec: parsed.requests / durationSec,
    latencyMs: { p50: parsed.p50 / 1000, p99: parsed.p99 / 1000, p999: parsed.p999 / 1000 },
    errors: parsed.errors,
    non2xx: parsed.non2xx,
    clientCpuSeconds: (await reapedChildrenCpuSeconds()) - reapedBefore,
  };
}
