// A few seconds of the soak run through the compiled script: slices of load, RSS read after each, a verdict
// on the RSS slope that matches the exit code, and the JSON written.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const script = fileURLToPath(new URL('../../dist/bench/soak.js', import.meta.url));

t.test('3 slices of 2 s: checkpoints, verdict and exit code agree, JSON written', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'soak-smoke-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [script, '--minutes', '0.1', '--slice', '2', '--connections', '10', '--out', out], { encoding: 'utf8', timeout: 90_000 });
  const file = readdirSync(out).find((name) => name.startsWith('soak-') && name.endsWith('.json'));
  t.ok(file, `JSON written\n${run.stdout}\n${run.stderr}`);
  const report = JSON.parse(readFileSync(join(out, file!), 'utf8')) as { verdict: { flat: boolean; errors: number; requests: number }; checkpoints: { requests: number; rssMb: number }[] };
  t.equal(report.checkpoints.length, 4, 'the start and one checkpoint per slice');
  t.ok(report.checkpoints.every((point) => point.rssMb > 10), 'RSS read at every checkpoint');
  t.ok(report.verdict.requests > 100, `${report.verdict.requests} requests`);
  t.equal(report.verdict.errors, 0);
  t.equal(run.status, report.verdict.flat ? 0 : 1, 'exit 0 exactly when RSS is flat and nothing failed');
  t.match(run.stdout, /RSS slope over the second half: .* MB\/min/);
});

t.test('a bad flag names itself and exits 2', async (t) => {
  const run = spawnSync(process.execPath, [script, '--minutes', 'soon'], { encoding: 'utf8' });
  t.equal(run.status, 2);
  t.match(run.stderr, /--minutes: "soon" is not a positive number/);
});
