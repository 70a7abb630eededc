// Short chaos runs through the compiled script. mixed: backends killed, frozen, slowed and half-broken under
// load, and not one GET fails; the report tells the reaction times and the frozen backend's slow GETs.
// partial-hang with tail tolerance off: the report's wait figures are there and show the hanging backend.
// deploy: a route switched blue → green and ramped back while backends die; no GET fails, both pools answer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import type { ChaosReport } from '../chaos-report.js';

const script = fileURLToPath(new URL('../../dist/bench/chaos.js', import.meta.url));

/** Runs the chaos script (bounded by its --duration and a hard timeout) and reads the JSON report it wrote. */
function chaos(t: Test, args: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'chaos-smoke-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [script, ...args, '--out', out, '--quiet'], { encoding: 'utf8', timeout: 90_000 });
  const files = readdirSync(out);
  const json = files.find((file) => file.endsWith('.json'));
  t.ok(json && files.some((file) => file.endsWith('.svg')), 'JSON and SVG written');
  const report = json ? (JSON.parse(readFileSync(join(out, json), 'utf8')) as ChaosReport) : undefined;
  return { run, report, output: `${run.stdout}\n${run.stderr}` };
}

t.test('8 s of mixed chaos: zero failed GETs, report written', async (t) => {
  const { run, report, output } = chaos(t, ['--duration', '8', '--connections', '20']);
  t.equal(run.status, 0, `exit 0 means no GET failed\n${output}`);
  if (!report) return; // the run failed before its report: said above
  t.ok(report.requests > 100, `${report.requests} GETs were sent`);
  t.equal(report.failedGets, 0);
  const kill = report.events.find((event) => event.action === 'kill');
  t.ok(kill?.outAfterMs !== undefined && kill.outAfterMs < 3_000, `the killed backend was taken out after ${kill?.outAfterMs} ms`);
  t.match(run.stdout, /failed GETs: 0/);
  t.match(report.freezeWindows, [{ backend: 'backend-2', gets: Number, over1s: Number, over2s: Number }], 'the frozen window counts its slow GETs');
  t.ok(report.freezeWindows[0]!.over2s <= report.freezeWindows[0]!.over1s, 'over 2 s is a part of over 1 s');
  t.match(run.stdout, /backend-2 frozen .*: \d+ GETs, \d+ waited over 1 s, \d+ over 2 s/);
});

t.test('6 s of partial-hang, tail tolerance off: the wait figures show the hanging backend', async (t) => {
  const { run, report, output } = chaos(t, ['--scenario', 'partial-hang', '--tail-tolerance', 'off', '--duration', '6', '--connections', '10']);
  // Off, hung GETs wait for the gateway's 30 s headers timeout: some may fail, so exit 1 is allowed here.
  t.ok(run.status === 0 || run.status === 1, `the run completed (exit ${run.status})\n${output}`);
  if (!report) return;
  t.equal(report.tailTolerance, false);
  t.same(report.hedges, {}, 'off means no hedging');
  const { waits } = report;
  t.equal(waits.gets, waits.answered + waits.timedOut + waits.connectionErrors + waits.unfinished, 'every GET sent is accounted for');
  t.ok(report.share['backend-2']! > 0, `the half-hanging backend still answered ${report.share['backend-2']} GETs`);
  t.ok(waits.over1s > 0, `${waits.over1s} GETs waited over 1 s on it`);
  t.ok(waits.over2s <= waits.over1s && waits.over1sPercent > 0 && waits.over1sPercent <= 100);
  t.ok(waits.p50Ms <= waits.p99Ms && waits.p99Ms <= waits.maxMs, `p50 ${waits.p50Ms} ms, p99 ${waits.p99Ms} ms, max ${waits.maxMs} ms`);
  t.match(run.stdout, /over 1 s: \d+ \([\d.]+%\)\s+over 2 s: \d+\s+p50 [\d.]+ ms\s+p99 [\d.]+ ms\s+max [\d.]+ ms/);
});

t.test('8 s of deploy: blue-green switch and canary ramp during kills, zero failed GETs, both pools answered', async (t) => {
  const { run, report, output } = chaos(t, ['--scenario', 'deploy', '--duration', '8', '--connections', '10']);
  t.equal(run.status, 0, `exit 0 means no GET failed and every switch was applied\n${output}`);
  if (!report?.phases) return t.fail('no phases in the report');
  t.equal(report.failedGets, 0);
  const switches = report.events.filter((event) => event.backend === 'route app');
  t.same(switches.map((event) => event.action), ['blue=0 green=100', 'blue=50 green=50', 'blue=100 green=0'], 'the switch and the ramp, in order');
  t.ok(switches.every((event) => event.appliedAfterMs !== undefined), 'every switch applied');
  t.ok(report.events.some((event) => event.action === 'kill' && event.outAfterMs !== undefined), 'a killed backend was taken out');
  const answered = (pool: string) => report.phases!.reduce((sum, phase) => sum + (phase.byPool[pool] ?? 0), 0);
  t.ok(answered('blue') > 0 && answered('green') > 0, `both pools answered (blue ${answered('blue')}, green ${answered('green')})`);
  // A phase counts only GETs sent after its switch was confirmed: a pool at weight 0 must not answer any.
  for (const phase of report.phases.filter((each) => !each.switching)) {
    for (const [pool, weight] of Object.entries(phase.split)) {
      if (weight === 0) t.equal(phase.byPool[pool] ?? 0, 0, `${phase.label}: no answer from ${pool} at weight 0`);
    }
  }
  t.match(run.stdout, /blue-green switch .* answers: blue 0\.0%, green 100\.0%/);
});
