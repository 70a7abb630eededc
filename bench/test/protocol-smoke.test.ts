// The compiled bench with --protocol h2, grpc and tls-handshake in a tiny mode (1 round, 1 s, 2 connections): each
// starts gateway, nginx and HAProxy with TLS or h2c listeners, checks the path answers World, measures all three with
// h2load in one run, and writes JSON with every target's figures. Not a timed test: only that each figure is there.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runBench } from './helpers/run-bench.js';

const TARGETS = ['gateway', 'nginx', 'haproxy'];
const TABLE = [
  { protocol: 'h2', rate: 'req/s', url: /^https:\/\/127\.0\.0\.1:\d+\/hello$/ },
  { protocol: 'grpc', rate: 'calls/s', url: /^http:\/\/127\.0\.0\.1:\d+\/helloworld\.Greeter\/SayHello$/ },
  { protocol: 'tls-handshake', rate: 'handshakes/s', url: /^https:\/\/127\.0\.0\.1:\d+\/hello$/ },
];

for (const { protocol, rate, url } of TABLE) {
  t.test(`--protocol ${protocol}: one run measures gateway, nginx and HAProxy with h2load`, async (t) => {
    const out = await mkdtemp(join(tmpdir(), `bench-smoke-${protocol}-`));
    t.teardown(() => rm(out, { recursive: true, force: true }));
    const run = await runBench(['--protocol', protocol, '--rounds', '1', '--duration', '1', '--warmup', '0', '--connections', '2', '--out', out]);
    t.equal(run.code, 0, `exit 0 (stderr: ${run.stderr.slice(-2000)})`);
    t.match(run.stdout, new RegExp(`\\| target +\\| tool +\\| +${rate.replace('/', '\\/')} median`), `the table counts ${rate}`);
    for (const target of TARGETS) t.match(run.stderr, new RegExp(`bench: ${target} ready at (\\S+)`), `${target} started`);
    for (const line of run.stderr.split('\n').filter((each) => / ready at /.test(each) && !each.includes('backends'))) {
      t.match(line.split(' ready at ')[1]?.split(' ')[0], url, 'the measured URL is the TLS or h2c one');
    }

    const json = (await readdir(out)).find((file) => file.endsWith('.json'));
    if (!json) return t.fail('no JSON written');
    const result = JSON.parse(await readFile(join(out, json), 'utf8'));
    t.equal(result.options.protocol, protocol);
    t.match(result.machine.h2load, /^h2load nghttp2\//, 'the h2load version is recorded');
    for (const target of TARGETS) {
      const summary = result.summaries.find((each: { target: string }) => each.target === target);
      if (!summary) {
        t.fail(`${target}: no summary`);
        continue;
      }
      t.equal(summary.tool, 'h2load', `${target}: measured with h2load`);
      t.ok(summary.reqPerSec.median > 0, `${target}: a rate`);
      t.ok(summary.latencyMs.p50 > 0 && summary.latencyMs.p50 <= summary.latencyMs.p99, `${target}: latency percentiles in order`);
      t.equal(summary.errors + summary.non2xx, 0, `${target}: no errors, only 2xx`);
      t.ok(summary.cpuPer100k > 0, `${target}: CPU per request`);
      t.ok(Number.isFinite(summary.vsNginx?.cpuPer100k), `${target}: CPU against nginx's`);
    }
  });
}
