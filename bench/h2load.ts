// h2load (Debian's nghttp2-client) as the load generator of --protocol h2, grpc and tls-handshake: runs it,
// reads its summary (requests done/failed/errored, status classes, data bytes) and its per-request log (latency
// percentiles, which the summary lacks), and fails the run loudly when h2load saw a failed or errored request.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { GRPC_HEADERS } from './grpc-call.js';
import type { Measurement } from './measure.js';
import { startProcess, stopProcess } from './processes.js';
import { reapedChildrenCpuSeconds } from './proc-stats.js';
import type { Protocol } from './protocol-options.js';

export interface H2loadPlan {
  protocol: Exclude<Protocol, 'h1'>;
  /** Where h2load's per-request log goes (removed before every run: h2load appends to it). */
  dir: string;
  /** grpc: the framed HelloRequest for -d, and the data bytes of one framed HelloReply. */
  grpc?: { bodyFile: string; replyBytes: number };
}

/** What a run of the load generator gives (measure.ts adds the target's CPU and memory). */
export type H2loadResult = Omit<Measurement, 'cpuSeconds' | 'peakRssBytes'>;

/** The figures of one h2load summary. */
export interface H2loadSummary {
  /** "finished in": the main duration with -D, else from the first connect to the last response. */
  finishedSec: number;
  done: number;
  succeeded: number;
  failed: number;
  errored: number;
  timeout: number;
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  dataBytes: number;
}

/** A run that overruns its duration by this much is stopped (a stuck target, or h2load waiting on one). */
const OVERRUN_MS = 30_000;
/** The units h2load's "finished in" is printed in. */
const UNITS: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6 };

function match(output: string, pattern: RegExp, what: string): RegExpExecArray {
  const found = pattern.exec(output);
  if (!found) throw new Error(`h2load printed no ${what} line:\n  ${output.trim().split('\n').slice(-15).join('\n  ')}`);
  return found;
}

/** Parses the summary h2load prints at the end (nghttp2 1.52; the same lines since 1.0). */
export function parseH2loadSummary(output: string): H2loadSummary {
  const finished = match(output, /^finished in ([\d.]+)(s|ms|us),/m, '"finished in"');
  const counts = match(output, /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m, '"requests:"');
  const status = match(output, /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m, '"status codes:"');
  const traffic = match(output, /^traffic: .*\((\d+)\) data/m, '"traffic:"');
  const n = (text: string | undefined) => Number(text);
  return {
    finishedSec: n(finished[1]) * UNITS[finished[2]!]!,
    done: n(counts[3]),
    succeeded: n(counts[4]),
    failed: n(counts[5]),
    errored: n(counts[6]),
    timeout: n(counts[7]),
    status: { '2xx': n(status[1]), '3xx': n(status[2]), '4xx': n(status[3]), '5xx': n(status[4]) },
    dataBytes: n(traffic[1]),
  };
}

/** h2load's arguments for one run (one batch for tls-handshake). */
function h2loadArgs(plan: H2loadPlan, url: string, connections: number, streams: number, durationSec: number, logFile: string): string[] {
  const common = ['--log-file', logFile, '-c', String(connections)];
  // tls-handshake: -n = -c, so every client makes one connection and one request on it, then ends; each batch is
  // a new h2load process, which keeps no TLS session from the last (h2load resumes only on its own reconnects).
  if (plan.protocol === 'tls-handshake') return [...common, '-n', String(connections), url];
  const grpc = plan.grpc === undefined ? [] : ['-d', plan.grpc.bodyFile, ...GRPC_HEADERS.flatMap((header) => ['-H', header])];
  return [...common, '-m', String(streams), '-D', String(durationSec), ...grpc, url];
}

/** Runs h2load once; its summary, with every response's time (µs, from its --log-file) added to `histogram`. */
async function runOnce(args: string[], logFile: string, histogram: RecordableHistogram, limitMs: number, signal: AbortSignal): Promise<H2loadSummary> {
  await rm(logFile, { force: true });
  const h2load = startProcess('h2load', 'h2load', args);
  const lines: string[] = [];
  h2load.onLine((line) => lines.push(line));
  const stop = () => void stopProcess(h2load);
  signal.addEventListener('abort', stop);
  const guard = setTimeout(stop, limitMs);
  await h2load.exited;
  clearTimeout(guard);
  signal.removeEventListener('abort', stop);
  const output = lines.join('\n');
  const summary = parseH2loadSummary(output);
  if (summary.failed + summary.errored + summary.timeout > 0) {
    throw new Error(`h2load ${args.join(' ')}: ${summary.failed} failed, ${summary.errored} errored, ${summary.timeout} timed out of ${summary.done} requests; the round is not counted:\n  ${lines.slice(-15).join('\n  ')}`);
  }
  // Each line: start time (µs since the epoch), status, µs until the end of the response.
  for (const line of (await readFile(logFile, 'utf8')).split('\n')) {
    const micros = Number(line.split('\t')[2]);
    if (micros > 0) histogram.record(Math.round(micros));
  }
  return summary;
}

/** Loads `url` for the duration: one h2load run (h2, grpc), or batches of new connections until it is over (tls-handshake). */
export async function runH2load(plan: H2loadPlan, url: string, settings: { connections: number; streams?: number; durationSec: number }, signal: AbortSignal): Promise<H2loadResult> {
  const histogram = createHistogram();
  const logFile = join(plan.dir, 'h2load-requests.tsv');
  const reapedBefore = await reapedChildrenCpuSeconds();
  const totals = { finishedSec: 0, succeeded: 0, non2xx: 0, dataBytes: 0 };
  const until = Date.now() + settings.durationSec * 1000;
  do {
    const args = h2loadArgs(plan, url, settings.connections, settings.streams ?? 1, settings.durationSec, logFile);
    const summary = await runOnce(args, logFile, histogram, settings.durationSec * 1000 + OVERRUN_MS, signal);
    totals.finishedSec += summary.finishedSec;
    totals.succeeded += summary.succeeded;
    totals.non2xx += summary.status['3xx'] + summary.status['4xx'] + summary.status['5xx'];
    totals.dataBytes += summary.dataBytes;
  } while (plan.protocol === 'tls-handshake' && Date.now() < until && !signal.aborted);
  if (signal.aborted) throw new Error('interrupted');
  // h2load does not count requests still open when -D ends: a target that stopped answering (or died) shows only here.
  if (totals.succeeded === 0) throw new Error(`h2load: no request to ${url} was answered in ${settings.durationSec} s; the round is not counted`);
  // A gRPC error (a misrouted call, no backend) is HTTP 200 with no message: every call must have had its reply.
  if (plan.grpc !== undefined && totals.dataBytes < totals.succeeded * plan.grpc.replyBytes) {
    throw new Error(`h2load: ${totals.succeeded} gRPC calls answered with ${totals.dataBytes} bytes of messages, under the ${plan.grpc.replyBytes} bytes of one HelloReply each: some calls failed with a gRPC status`);
  }
  return {
    tool: 'h2load',
    requests: totals.succeeded,
    durationSec: totals.finishedSec,
    reqPerSec: totals.succeeded / totals.finishedSec,
    latencyMs: { p50: histogram.percentile(50) / 1000, p99: histogram.percentile(99) / 1000, p999: histogram.percentile(99.9) / 1000 },
    errors: 0,
    non2xx: totals.non2xx,
    clientCpuSeconds: (await reapedChildrenCpuSeconds()) - reapedBefore,
  };
}
