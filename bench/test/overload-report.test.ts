// The overload report's verdict on the 2x target, as a table: met, not met, and not tested when the load
// generator could not send the overload it was asked for (the case the first overload run hid); the overload's
// onset is printed apart and does not decide the verdict.
import t from 'tap';
import type { PacedResult } from '../paced-load.js';
import { parseOverloadOptions } from '../overload-options.js';
import { reportLines, summarize } from '../overload-report.js';

function phase(askedPerSec: number, sentPerSec: number, okP99: number, shedP99: number): PacedResult & { askedPerSec: number; gatewayCores: number; generatorCores: number; generatorLagP99Ms: number } {
  const durationSec = 5;
  const requests = sentPerSec * durationSec;
  const shed = Math.round(requests / 2);
  const latency = (p99: number) => ({ p50: p99 / 2, p99, p999: p99 });
  return {
    requests,
    durationSec,
    latencyMs: latency(okP99),
    byStatus: new Map([
      [200, { count: requests - shed, latencyMs: latency(okP99) }],
      [503, { count: shed, latencyMs: latency(shedP99) }],
    ]),
    errors: 0,
    non2xx: shed,
    clientCpuSeconds: 1,
    askedPerSec,
    gatewayCores: 0.5,
    generatorCores: 0.4,
    generatorLagP99Ms: 10,
  };
}

const cases = [
  { name: 'admitted p99 within 2x, 3x really sent', sent: 300, admittedP99: 90, verdict: /^MET \(admitted p99 is 1\.8x/ },
  { name: 'admitted p99 past 2x', sent: 300, admittedP99: 250, verdict: /^NOT MET \(admitted p99 is 5x/ },
  { name: 'the generator sent only 1.5x', sent: 150, admittedP99: 60, verdict: /^NOT TESTED: the load generator sent only 1\.5x capacity of the 3x asked for/ },
];

for (const { name, sent, admittedP99, verdict } of cases) {
  t.test(name, async (t) => {
    const report = summarize({
      options: parseOverloadOptions([])!,
      settings: { 'concurrency.maxPerBackend': 4 },
      placement: 'not pinned',
      capacity: { perSec: 100, measuredPerSec: 100, p99Ms: 60, connections: 12 },
      unloaded: phase(50, 50, 50, 1),
      overload: phase(300, sent, admittedP99, 5),
      // A slow onset is reported on its own and never decides the verdict.
      onset: phase(300, sent, 400, 300),
      shedMetric: 10,
      rssBytes: { before: 100e6, peak: 120e6, after: 110e6 },
      stillServing: true,
    });
    t.match(report.target2x, verdict);
    t.match(reportLines(report).join('\n'), `2x target: ${report.target2x}`, 'the printed report says it');
    t.match(reportLines(report).join('\n'), /onset \(the first 5 s of the overload.*\): admitted \d+ p99 400 ms, shed \d+ p99 300 ms/, 'and the onset apart');
  });
}
