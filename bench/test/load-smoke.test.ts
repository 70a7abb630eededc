// The compiled bench end to end in a tiny mode (1 round, 1 s per target, 4 connections, nginx backends,
// which start fastest): it exits 0 and writes valid JSON with every target's figures, and an SVG.
// Not a timed test: no figure is compared with a threshold, only that each is there and sane.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runBench } from './helpers/run-bench.js';

const TARGETS = ['direct', 'gateway', 'nginx', 'haproxy'];
const wrkInstalled = spawnSync('wrk', ['-v']).error === undefined;
const TOOLS = wrkInstalled ? ['autocannon', 'wrk'] : ['autocannon'];

t.test('a tiny run exits 0 and writes JSON with every target and an SVG', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const tool = wrkInstalled ? 'both' : 'autocannon';
  const run = await runBench(['--rounds', '1', '--duration', '1', '--warmup', '0', '--connections', '4', '--tool', tool, '--backends', 'nginx', '--out', out]);
  t.equal(run.code, 0, `exit 0 (stderr: ${run.stderr.slice(-2000)})`);
  t.match(run.stdout, /\| target +\| tool +\| +req\/s median/, 'printed the table');

  const files = (await readdir(out)).sort();
  t.equal(files.length, 2, 'one JSON and one SVG');
  const json = files.find((file) => file.endsWith('.json'));
  const svg = files.find((file) => file.endsWith('.svg'));
  t.ok(json && svg, `files: ${files.join(', ')}`);
  if (!json || !svg) return;

  const result = JSON.parse(await readFile(join(out, json), 'utf8'));
  t.same(result.options.targets, TARGETS, 'the default targets');
  t.equal(result.options.proxyConfigs, 'rendered', 'nginx and HAProxy ran the rendered configs');
  t.equal(result.runs.length, TARGETS.length * TOOLS.length, 'one run per target and tool');
  for (const target of TARGETS) {
    for (const tool of TOOLS) {
      const summary = result.summaries.find((s: { target: string; tool: string }) => s.target === target && s.tool === tool);
      t.ok(summary, `${target} (${tool}) has a summary`);
      if (!summary) continue;
      const label = `${target} (${tool})`;
      t.ok(summary.reqPerSec.median > 0 && summary.reqPerSec.min <= summary.reqPerSec.max, `${label}: req/s`);
      t.ok(summary.latencyMs.p50 > 0 && summary.latencyMs.p50 <= summary.latencyMs.p99 && summary.latencyMs.p99 <= summary.latencyMs.p999, `${label}: latency percentiles in order`);
      t.equal(summary.errors, 0, `${label}: no errors`);
      t.equal(summary.non2xx, 0, `${label}: only 2xx answers`);
      t.ok(summary.cpuPer100k > 0, `${label}: CPU per 100k`);
      t.ok(summary.peakRssMb > 0, `${label}: peak RSS`);
      t.ok(Number.isFinite(summary.vsNginx?.reqPerSec) && Number.isFinite(summary.vsDirect?.p99AddedMs), `${label}: ratios to nginx and direct`);
    }
  }

  const chart = await readFile(join(out, svg), 'utf8');
  t.match(chart, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>$/, 'an SVG document');
  for (const target of TARGETS) t.ok(chart.includes(`>${target} (autocannon)</text>`), `the chart has a row for ${target}`);
});

t.test('--rate measures with the paced generator: exactly rate × duration requests per run', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'bench-smoke-rate-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const run = await runBench(['--rate', '200', '--rounds', '1', '--duration', '1', '--warmup', '0', '--connections', '4', '--targets', 'direct,gateway,gateway-routes,node-floor', '--backends', 'nginx', '--out', out]);
  t.equal(run.code, 0, `exit 0 (stderr: ${run.stderr.slice(-2000)})`);
  const json = (await readdir(out)).find((file) => file.endsWith('.json'));
  if (!json) return t.fail('no JSON written');
  const result = JSON.parse(await readFile(join(out, json), 'utf8'));
  t.same(result.options.tools, ['paced'], 'paced is the tool for a fixed rate');
  for (const each of result.runs) {
    t.equal(each.requests, 200, `${each.target}: 200 requests at 200 req/s for 1 s`);
    t.equal(each.errors + each.non2xx, 0, `${each.target}: no errors`);
  }
  const gateway = result.summaries.find((s: { target: string }) => s.target === 'gateway');
  t.ok(Number.isFinite(gateway?.vsDirect?.p99AddedMs), 'the gateway\'s p99 added over direct');
});

t.test('a paced run without a rate is refused with one line naming the flag', async (t) => {
  const run = await runBench(['--tool', 'paced']);
  t.equal(run.code, 2, 'exit 2');
  t.match(run.stderr.split('\n')[0], /^bench: --tool paced: needs --rate/, 'names the flag');
});
