// `npm run bench`: starts the backends once, then every target in front of them, and measures the targets
// in interleaved rounds (A B C D A B C D …) so slow drift on a shared machine hits all of them alike.
// Prints a table, writes <date>.json and <date>.svg, and stops every process it started, also on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSayHelloBody } from './grpc-call.js';
import type { H2loadPlan } from './h2load.js';
import { measure, writeWrkScript, type LoadSettings, type RunContext } from './measure.js';
import { BACKEND_COUNT, parseOptions, UsageError, USAGE, type BenchOptions } from './options.js';
import { stopAll } from './processes.js';
import { Progress } from './progress.js';
import { renderSvg, renderTable, unitsOf } from './report.js';
import { makeBenchCertificate, startGreeters, startSecureTarget } from './secure-targets.js';
import { summarize, type Run } from './summary.js';
import { passedGatewayEnv } from './gateway-env.js';
import { startBackends, startTarget, versionOf, type Backends, type Target } from './targets.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench/load.js → the repository
const interrupted = new AbortController();

function machine() {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    nginx: versionOf('nginx', ['-v']),
    haproxy: versionOf('haproxy', ['-v']),
    wrk: versionOf('wrk', ['-v']),
    h2load: versionOf('h2load', ['--version']),
    // the tree is often dirty while someone optimises: the commit alone would not name the code measured
    git: { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' },
  };
}

const describeRun = (run: Run, units = unitsOf('h1')) =>
  `${Math.round(run.reqPerSec).toLocaleString('en-US')} ${units.rate}, p99 ${run.latencyMs.p99.toFixed(2)} ms, ` +
  `CPU ${((run.cpuSeconds / Math.max(1, run.requests)) * units.per).toFixed(2)} s/${units.perLabel}${run.errors + run.non2xx > 0 ? `, ${run.errors} errors, ${run.non2xx} non-2xx` : ''}`;

async function measureAll(options: BenchOptions, targets: Target[], context: RunContext): Promise<Run[]> {
  const settings: LoadSettings = { connections: options.connections, durationSec: options.durationSec, pipelining: options.pipelining, streams: options.streams, rate: options.rate };
  const units = unitsOf(options.protocol);
  const runsPerRound = targets.length * options.tools.length;
  const progress = new Progress(targets.length * options.warmupSec + options.rounds * runsPerRound * options.durationSec);
  const stopIfInterrupted = () => {
    if (interrupted.signal.aborted) throw new Error('interrupted');
  };
  try {
    // Warm-up (discarded): JIT, keep-alive pools and caches settle before anything counts.
    if (options.warmupSec > 0) {
      for (const target of targets) {
        stopIfInterrupted();
        progress.startRun(`warm-up ${target.name}`, options.warmupSec);
        const warm = await measure(options.tools[0]!, target, { ...settings, durationSec: options.warmupSec }, context);
        stopIfInterrupted();
        progress.endRun(`${Math.round(warm.reqPerSec).toLocaleString('en-US')} ${units.rate} (discarded)`);
      }
    }
    const runs: Run[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const target of targets) {
        for (const tool of options.tools) {
          stopIfInterrupted();
          progress.startRun(`round ${round}/${options.rounds} ${target.name} (${tool})`, options.durationSec);
          const run: Run = { ...(await measure(tool, target, settings, context)), target: target.name, round };
          stopIfInterrupted();
          runs.push(run);
          progress.endRun(describeRun(run, units));
        }
      }
    }
    return runs;
  } finally {
    progress.finish();
  }
}

/** h1: the targets' cleartext ports; other protocols: their TLS listeners (a certificate made now) or h2c ports. */
async function startTargets(options: BenchOptions, backends: Backends, dir: string): Promise<{ targets: Target[]; h2load?: H2loadPlan }> {
  const { protocol } = options;
  const certificate = protocol === 'h2' || protocol === 'tls-handshake' ? await makeBenchCertificate(dir) : undefined;
  const targets: Target[] = [];
  for (const name of options.targets) {
    const target = protocol === 'h1'
      ? await startTarget(name, backends, dir, options.proxyConfigs, options.routes, options.altNode?.path)
      : await startSecureTarget(name, protocol, backends, dir, certificate);
    process.stderr.write(`bench: ${name} ready at ${target.url} (process groups ${target.pgids.join(',')})\n`);
    targets.push(target);
  }
  if (protocol === 'h1') return { targets };
  return { targets, h2load: { protocol, dir, grpc: protocol === 'grpc' ? await writeSayHelloBody(dir) : undefined } };
}

async function bench(options: BenchOptions): Promise<void> {
  const startedAt = new Date();
  const dir = await mkdtemp(join(tmpdir(), 'gateway-bench-'));
  try {
    process.stderr.write(`bench: starting ${BACKEND_COUNT} ${options.backends} backends and ${options.targets.join(', ')}\n`);
    const backends = options.backends === 'greeter' ? await startGreeters(BACKEND_COUNT) : await startBackends(options.backends, BACKEND_COUNT, dir);
    process.stderr.write(`bench: backends ready at ${backends.origins.join(' ')} (process groups ${backends.pgids.join(',')})\n`);
    const { targets, h2load } = await startTargets(options, backends, dir);
    const runs = await measureAll(options, targets, { wrkScript: await writeWrkScript(dir), h2load, signal: interrupted.signal });
    const summaries = summarize(runs, options.targets, options.tools);

    const { outDir, ...flags } = options;
    const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
    const routeTable = options.targets.includes('gateway-routes') ? ` · gateway-routes: ${options.routes} routes` : '';
    const nodes = ` · Node ${process.version}${options.altNode ? ` (*-alt-node: ${options.altNode.version})` : ''}`;
    const protocol = options.protocol === 'h1' ? '' : `--protocol ${options.protocol}${options.streams > 1 ? ` (${options.streams} streams per connection)` : ''} · `;
    const described = `${protocol}${options.backends} backends · ${options.proxyConfigs} nginx/HAProxy configs${routeTable}${nodes} · ${options.connections} connections${options.rate ? ` at ${options.rate} req/s` : ''} · ${options.durationSec} s × ${options.rounds} rounds · ${startedAt.toISOString()}`;
    const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
    await mkdir(outDir, { recursive: true });
    const jsonFile = join(outDir, `${stamp}.json`);
    const svgFile = join(outDir, `${stamp}.svg`);
    const result = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command,
      options: flags,
      machine: machine(),
      gatewayEnv: passedGatewayEnv(),
      method: {
        direct: 'all connections to the first backend; its CPU is every backend process',
        cpuPer100k: "utime+stime of the target's process groups from /proc, summed over rounds, per 100k responses",
        medians: 'req/s and latency percentiles are medians over rounds; errors and non-2xx are totals',
        latency: 'autocannon and paced: microsecond histogram of every response, from the request being sent; wrk: its own histogram (µs); h2load: its --log-file (µs from request to end of response, handshake not included)',
        h2load: 'h2: h2load -c C -m streams -D duration over TLS (ALPN h2); grpc: the same on the h2c port, POST of a framed HelloRequest, every call checked to carry a HelloReply; tls-handshake: batches of h2load -c C -n C (one request per new connection, new process so no resumption) until the duration is over, rate over h2load\'s own batch times; any failed or errored request fails the run',
      },
      summaries,
      runs,
    };
    await writeFile(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
    const units = unitsOf(options.protocol);
    await writeFile(svgFile, renderSvg(summaries, [command, described], units));

    process.stdout.write(`\n${renderTable(summaries, units)}\n\n${command}\n${described}\nresults: ${jsonFile}\nchart:   ${svgFile}\n`);
    const failing = summaries.filter((summary) => summary.errors + summary.non2xx > 0).map((summary) => `${summary.target} (${summary.tool})`);
    if (failing.length > 0) process.stderr.write(`bench: warning: errors or non-2xx responses from ${failing.join(', ')}\n`);
  } finally {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

let options: BenchOptions | undefined;
try {
  options = parseOptions(process.argv.slice(2), join(repoRoot, 'bench/results'), versionOf('wrk', ['-v']) !== undefined);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
  process.exit(2);
}
if (!options) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// First Ctrl-C: stop the current run, clean up, exit 130. A second one: exit now (the exit hook kills the groups).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted.signal.aborted) process.exit(130);
    process.stderr.write(`\nbench: ${signal}: stopping every process the bench started…\n`);
    interrupted.abort();
  });
}

try {
  await bench(options);
} catch (error) {
  const aborted = interrupted.signal.aborted;
  process.stderr.write(aborted ? 'bench: interrupted; no results written\n' : `bench: failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = aborted ? 130 : 1;
}
