// From the measured runs to one line per target and tool: medians over rounds (robust to one noisy round
// on a shared 2-core machine), CPU per 100k requests, and ratios to nginx, direct and node-floor under the same tool.
import type { Measurement, Tool } from './measure.js';
import type { TargetName } from './targets.js';

export interface Run extends Measurement {
  target: TargetName;
  round: number;
}

export interface TargetSummary {
  target: TargetName;
  tool: Tool;
  rounds: number;
  reqPerSec: { median: number; min: number; max: number };
  /** Medians over rounds of each round's percentile. */
  latencyMs: { p50: number; p99: number; p999: number };
  /** Totals over rounds. */
  errors: number;
  non2xx: number;
  requests: number;
  /** Target CPU seconds per 100,000 requests: all rounds' CPU over all rounds' requests. */
  cpuPer100k: number;
  /** The same for the load generator. */
  clientCpuPer100k: number;
  peakRssMb: number;
  /** This target over nginx (same tool): req/s ratio and CPU-per-request ratio. Absent without nginx. */
  vsNginx?: { reqPerSec: number; cpuPer100k: number };
  /** This target over direct (same tool), and the p99 it adds on top of direct's. Absent without direct. */
  vsDirect?: { reqPerSec: number; cpuPer100k: number; p99AddedMs: number };
  /** This target over node-floor (same tool): the CPU ratio and the p50 and p99 it adds. Absent without node-floor. */
  vsFloor?: { cpuPer100k: number; p50AddedMs: number; p99AddedMs: number };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const per100k = (seconds: number, requests: number) => (requests > 0 ? (seconds / requests) * 100_000 : 0);

function summarizeOne(target: TargetName, tool: Tool, runs: readonly Run[]): TargetSummary {
  const rates = runs.map((run) => run.reqPerSec);
  const requests = sum(runs.map((run) => run.requests));
  return {
    target,
    tool,
    rounds: runs.length,
    reqPerSec: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
    latencyMs: {
      p50: median(runs.map((run) => run.latencyMs.p50)),
      p99: median(runs.map((run) => run.latencyMs.p99)),
      p999: median(runs.map((run) => run.latencyMs.p999)),
    },
    errors: sum(runs.map((run) => run.errors)),
    non2xx: sum(runs.map((run) => run.non2xx)),
    requests,
    cpuPer100k: per100k(sum(runs.map((run) => run.cpuSeconds)), requests),
    clientCpuPer100k: per100k(sum(runs.map((run) => run.clientCpuSeconds)), requests),
    peakRssMb: Math.max(...runs.map((run) => run.peakRssBytes)) / 2 ** 20,
  };
}

/** One summary per (target, tool) in the order measured, with ratios filled in. */
export function summarize(runs: readonly Run[], targets: readonly TargetName[], tools: readonly Tool[]): TargetSummary[] {
  const summaries: TargetSummary[] = [];
  for (const target of targets) {
    for (const tool of tools) {
      const own = runs.filter((run) => run.target === target && run.tool === tool);
      if (own.length > 0) summaries.push(summarizeOne(target, tool, own));
    }
  }
  for (const summary of summaries) {
    const nginx = summaries.find((other) => other.target === 'nginx' && other.tool === summary.tool);
    const direct = summaries.find((other) => other.target === 'direct' && other.tool === summary.tool);
    if (nginx) summary.vsNginx = { reqPerSec: summary.reqPerSec.median / nginx.reqPerSec.median, cpuPer100k: summary.cpuPer100k / nginx.cpuPer100k };
    const floor = summaries.find((other) => other.target === 'node-floor' && other.tool === summary.tool);
    if (floor) {
      summary.vsFloor = {
        cpuPer100k: summary.cpuPer100k / floor.cpuPer100k,
        p50AddedMs: summary.latencyMs.p50 - floor.latencyMs.p50,
        p99AddedMs: summary.latencyMs.p99 - floor.latencyMs.p99,
      };
    }
    if (direct) {
      summary.vsDirect = {
        reqPerSec: summary.reqPerSec.median / direct.reqPerSec.median,
        cpuPer100k: summary.cpuPer100k / direct.cpuPer100k,
        p99AddedMs: summary.latencyMs.p99 - direct.latencyMs.p99,
      };
    }
  }
  return summaries;
}
