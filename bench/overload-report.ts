// What one overload run found, as the JSON it writes and the lines it prints: the capacity, the unloaded p99,
// and under overload the admitted (200) and shed (503) answers apart, their ratio to the unloaded p99 against the
// 2x target, the overload's onset apart, what the load generator really offered, RSS before and after, and
// whether the gateway still serves.
import type { PacedResult } from './paced-load.js';
import type { OverloadOptions } from './overload-options.js';

/** Below this share of the asked-for rate the generator did not really offer the overload. */
const OFFERED_ENOUGH = 0.9;
const TARGET_RATIO = 2;

export interface OverloadRun {
  options: OverloadOptions;
  settings: Record<string, number | null>;
  placement: string;
  /** perSec: the capacity the phases are made from; measuredPerSec: the closed loop's (they differ with --capacity). */
  capacity: { perSec: number; measuredPerSec: number; p99Ms: number; connections: number };
  unloaded: Phase;
  overload: Phase;
  /** The first seconds of the overload, before the counted phase (the generator's warm-up at that rate). */
  onset: PacedResult;
  shedMetric: number;
  rssBytes: { before: number; peak: number; after: number };
  stillServing: boolean;
}

type Phase = PacedResult & { askedPerSec: number; gatewayCores: number; generatorCores: number; generatorLagP99Ms: number };

const ms = (value: number) => Math.round(value * 100) / 100;

function phase(result: Phase) {
  const durationSec = result.durationSec;
  const part = (status: number) => {
    const answers = result.byStatus.get(status);
    return { count: answers?.count ?? 0, perSec: Math.round((answers?.count ?? 0) / durationSec), p50Ms: ms(answers?.latencyMs.p50 ?? Number.NaN), p99Ms: ms(answers?.latencyMs.p99 ?? Number.NaN) };
  };
  const other = Object.fromEntries([...result.byStatus].filter(([status]) => status !== 200 && status !== 503).map(([status, answers]) => [status, answers.count]));
  return { askedPerSec: result.askedPerSec, gatewayCores: ms(result.gatewayCores), generatorCores: ms(result.generatorCores), generatorLagP99Ms: ms(result.generatorLagP99Ms), sentPerSec: Math.round((result.requests + result.errors) / durationSec), admitted: part(200), shed: part(503), otherStatuses: other, errors: result.errors };
}

/** The answers of the overload's onset by kind, with their p99. */
function onsetOf(result: PacedResult) {
  const p99 = (status: number) => ms(result.byStatus.get(status)?.latencyMs.p99 ?? Number.NaN);
  return { durationSec: ms(result.durationSec), admitted: result.byStatus.get(200)?.count ?? 0, admittedP99Ms: p99(200), shed: result.byStatus.get(503)?.count ?? 0, shedP99Ms: p99(503), errors: result.errors };
}

/** The report as JSON, and whether the 2x target was met, not met, or not tested (the overload was not offered). */
export function summarize(run: OverloadRun) {
  const unloaded = phase(run.unloaded);
  const overload = phase(run.overload);
  const ratio = ms(overload.admitted.p99Ms / unloaded.admitted.p99Ms);
  const offeredFactor = ms(overload.sentPerSec / run.capacity.perSec);
  const verdict =
    overload.sentPerSec < OFFERED_ENOUGH * overload.askedPerSec
      ? `NOT TESTED: the load generator sent only ${offeredFactor}x capacity of the ${run.options.factor}x asked for`
      : !(ratio <= TARGET_RATIO)
        ? `NOT MET (admitted p99 is ${ratio}x the unloaded p99)`
        : `MET (admitted p99 is ${ratio}x the unloaded p99)`;
  return {
    scenario: run.options.scenario,
    date: new Date().toISOString(),
    durationSec: run.options.durationSec,
    gateway: run.settings,
    placement: run.placement,
    capacity: run.capacity,
    unloaded,
    overload: { ...overload, gatewayShedTotal: run.shedMetric },
    onset: onsetOf(run.onset),
    offeredFactor,
    admittedP99OverUnloaded: ratio,
    target2x: verdict,
    rssBytes: run.rssBytes,
    stillServing: run.stillServing,
  };
}

export function reportLines(report: ReturnType<typeof summarize>): string[] {
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  const { unloaded, overload } = report;
  const settings = Object.entries(report.gateway).map(([key, value]) => `${key} ${value ?? 'off'}`).join(', ');
  return [
    `overload, scenario ${report.scenario}, ${report.durationSec} s per phase; ${settings}; ${report.placement}`,
    report.capacity.perSec === report.capacity.measuredPerSec
      ? `capacity (closed loop, ${report.capacity.connections} connections): ${report.capacity.perSec} req/s, p99 ${report.capacity.p99Ms} ms`
      : `capacity ${report.capacity.perSec} req/s, given by --capacity (the closed loop, ${report.capacity.connections} connections, measured ${report.capacity.measuredPerSec} req/s, p99 ${report.capacity.p99Ms} ms)`,
    `unloaded (${unloaded.askedPerSec} req/s paced): p50 ${unloaded.admitted.p50Ms} ms, p99 ${unloaded.admitted.p99Ms} ms; shed ${unloaded.shed.count}, other ${JSON.stringify(unloaded.otherStatuses)}, errors ${unloaded.errors}; gateway CPU ${unloaded.gatewayCores} cores, generator CPU ${unloaded.generatorCores} cores, lag p99 ${unloaded.generatorLagP99Ms} ms`,
    `overload (${overload.askedPerSec} req/s asked, ${overload.sentPerSec} req/s sent = ${report.offeredFactor}x capacity; gateway CPU ${overload.gatewayCores} cores, generator CPU ${overload.generatorCores} cores, lag p99 ${overload.generatorLagP99Ms} ms):`,
    `  admitted ${overload.admitted.count} (${overload.admitted.perSec}/s) p50 ${overload.admitted.p50Ms} ms p99 ${overload.admitted.p99Ms} ms`,
    `  shed 503 ${overload.shed.count} (${overload.shed.perSec}/s; gateway_shed_total +${overload.gatewayShedTotal}) p50 ${overload.shed.p50Ms} ms p99 ${overload.shed.p99Ms} ms`,
    `  other ${JSON.stringify(overload.otherStatuses)}, errors ${overload.errors}`,
    `onset (the first ${report.onset.durationSec} s of the overload, before the counted phase, not in the ratio): admitted ${report.onset.admitted} p99 ${report.onset.admittedP99Ms} ms, shed ${report.onset.shed} p99 ${report.onset.shedP99Ms} ms, errors ${report.onset.errors}`,
    `admitted p99 / unloaded p99: ${report.admittedP99OverUnloaded}; 2x target: ${report.target2x}`,
    `gateway RSS: ${mb(report.rssBytes.before)} before, ${mb(report.rssBytes.peak)} at most during the overload, ${mb(report.rssBytes.after)} after; still serving: ${report.stillServing ? 'yes' : 'NO'}`,
  ];
}
