// Ctrl-C in the middle of a run: the bench stops the run, stops every process it started (the three demo
// backends, the gateway, nginx with its worker), writes no results and exits 130. (The minimal nginx config
// here; the smoke test runs the rendered ones.)
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { groupPids } from '../proc-stats.js';
import { runBench } from './helpers/run-bench.js';

t.test('Ctrl-C during a run stops every process the bench started and writes no results', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  let signalled = false;
  let signalledAt = 0;
  const run = await runBench(['--rounds', '1', '--duration', '30', '--warmup', '0', '--connections', '4', '--targets', 'gateway,nginx', '--proxy-configs', 'minimal', '--out', out], (stderr, child) => {
    // once the last target is ready the first 30 s run begins; interrupt it shortly after
    if (signalled || !stderr.includes('bench: nginx ready')) return;
    signalled = true;
    setTimeout(() => {
      signalledAt = Date.now();
      child.kill('SIGINT');
    }, 500);
  });
  t.ok(signalled, `the targets started (stderr: ${run.stderr.slice(-2000)})`);
  t.equal(run.code, 130, 'exit 130 after an interrupt');
  t.ok(Date.now() - signalledAt < 15_000, 'stopped without waiting for the run to end');
  const groups = [...run.stderr.matchAll(/process groups ([\d,]+)/g)].flatMap((match) => match[1]!.split(',').map(Number));
  t.equal(new Set(groups).size, 5, `3 backends, gateway and nginx reported their process groups: ${groups.join(', ')}`);
  t.same(await groupPids(groups), [], 'no process of any group it started is left');
  t.same(await readdir(out), [], 'no results written');
});
