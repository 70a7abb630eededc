// `npm run bench -- --node PATH`: the gateway and node-floor also run on another Node binary, each right
// after its twin, in the same interleaved run. The binary here is a wrapper around this Node that records
// what it was asked to run, so the test proves the path given is the one that starts both targets.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseOptions, UsageError } from '../options.js';
import { runBench } from './helpers/run-bench.js';

t.test('--node PATH adds the *-alt-node targets right after their twins', async (t) => {
  const parse = (...argv: string[]) => parseOptions(argv, 'out', false)!;
  const options = parse('--node', process.execPath, '--targets', 'gateway,node-floor,nginx');
  t.same(options.targets, ['gateway', 'gateway-alt-node', 'node-floor', 'node-floor-alt-node', 'nginx']);
  t.equal(options.altNode?.version, process.version, 'the binary\'s version is recorded for the report');
  t.throws(() => parse('--node', '/nonexistent/node'), new UsageError('--node: "/nonexistent/node" is not a Node binary (`/nonexistent/node --version` failed)'));
  t.throws(() => parse('--targets', 'gateway-alt-node'), new UsageError('--targets: the *-alt-node targets need --node PATH'));
});

t.test('a run with --node starts gateway-alt-node and node-floor-alt-node with that binary', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alt-node-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'started.txt');
  const wrapper = join(dir, 'node');
  await writeFile(wrapper, `#!/bin/sh\necho "$@" >> '${record}'\nexec '${process.execPath}' "$@"\n`);
  await chmod(wrapper, 0o755);

  const run = await runBench(['--node', wrapper, '--targets', 'gateway,node-floor', '--rounds', '1', '--duration', '1', '--warmup', '0', '--connections', '4', '--tool', 'autocannon', '--backends', 'nginx', '--out', dir]);
  t.equal(run.code, 0, `exit 0 (stderr: ${run.stderr.slice(-2000)})`);
  for (const name of ['gateway-alt-node', 'node-floor-alt-node']) t.match(run.stdout, new RegExp(`\\| ${name} +\\| autocannon +\\| +[1-9]`), `${name} was measured`);
  t.match(run.stdout, `(*-alt-node: ${process.version})`, 'the report names the other binary\'s version');
  // The first line is the bench asking the binary for its version.
  const started = (await readFile(record, 'utf8')).trim().split('\n').filter((line) => line !== '--version');
  t.equal(started.length, 2, 'the wrapper started two processes');
  t.match(started[0], /gateway\/src\/cli\.js start$/, 'the gateway');
  t.match(started[1], /bench\/node-floor-proxy\.js /, 'node-floor');
});
