// `npm run soak`: the gateway under steady load for minutes, its RSS read after every slice of load, to show
// memory stays flat (no leak) and where it settles after a million requests. Prints a table and a verdict,
// writes bench/results/soak-<date>.json, and stops every process it started, also on Ctrl-C.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, writeWrkScript, type Tool } from './measure.js';
import { BACKEND_COUNT } from './options.js';
import { groupPids, rssBytes } from './proc-stats.js';
import { stopAll } from './processes.js';
import { startBackends, startTarget, versionOf, type BackendKind } from './targets.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MB = 1024 * 1024;
/** RSS may still grow this much per minute over the second half of the run and count as flat (allocator noise). */
const FLAT_MB_PER_MINUTE = 1;

interface Checkpoint {
  atSec: number;
  requests: number;
  errors: number;
  rssMb: number;
  peakRssMb: number;
}

function options() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      slice: { type: 'string', default: '30' },
      connections: { type: 'string', default: '50' },
      backends: { type: 'string', default: 'nginx' },
      tool: { type: 'string', default: versionOf('wrk', ['-v']) ? 'wrk' : 'autocannon' },
      out: { type: 'string', default: join(repoRoot, 'bench/results') },
    },
  });
  const number = (flag: 'minutes' | 'slice' | 'connections') => {
    const value = Number(values[flag]);
    if (!(value > 0)) throw new Error(`--${flag}: "${values[flag]}" is not a positive number`);
    return value;
  };
  if (values.backends !== 'nginx' && values.backends !== 'demo') throw new Error(`--backends: "${values.backends}" is not nginx or demo`);
  if (values.tool !== 'wrk' && values.tool !== 'autocannon') throw new Error(`--tool: "${values.tool}" is not wrk or autocannon`);
  return { minutes: number('minutes'), sliceSec: number('slice'), connections: number('connections'), backends: values.backends as BackendKind, tool: values.tool as Tool, outDir: values.out };
}

/** Least-squares slope of RSS (MB) against time (minutes). */
function slopeMbPerMinute(points: Checkpoint[]): number {
  const xs = points.map((point) => point.atSec / 60);
  const ys = points.map((point) => point.rssMb);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const covariance = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0);
  const variance = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

async function soak(settings: ReturnType<typeof options>, signal: AbortSignal): Promise<void> {
  const startedAt = new Date();
  const dir = await mkdtemp(join(tmpdir(), 'gateway-soak-'));
  try {
    const backends = await startBackends(settings.backends, BACKEND_COUNT, dir);
    const gateway = await startTarget('gateway', backends, dir, 'rendered');
    const pids = await groupPids(gateway.pgids);
    const wrkScript = await writeWrkScript(dir);
    const checkpoints: Checkpoint[] = [{ atSec: 0, requests: 0, errors: 0, rssMb: (await rssBytes(pids)) / MB, peakRssMb: 0 }];
    const slices = Math.ceil((settings.minutes * 60) / settings.sliceSec);
    process.stdout.write(`soak: ${settings.tool}, ${settings.connections} connections, ${slices} slices of ${settings.sliceSec} s; gateway RSS at start ${checkpoints[0]!.rssMb.toFixed(1)} MB\n`);
    for (let slice = 1; slice <= slices && !signal.aborted; slice++) {
      const run = await measure(settings.tool, gateway, { connections: settings.connections, durationSec: settings.sliceSec, pipelining: 1, rate: undefined }, { wrkScript, signal });
      const previous = checkpoints.at(-1)!;
      const point: Checkpoint = {
        atSec: slice * settings.sliceSec,
        requests: previous.requests + run.requests,
        errors: previous.errors + run.errors + run.non2xx,
        rssMb: (await rssBytes(pids)) / MB,
        peakRssMb: run.peakRssBytes / MB,
      };
      checkpoints.push(point);
      process.stdout.write(`${String(point.atSec).padStart(5)} s  ${point.requests.toLocaleString('en-US').padStart(11)} requests  ${point.errors} errors  RSS ${point.rssMb.toFixed(1)} MB (peak in slice ${point.peakRssMb.toFixed(1)} MB)\n`);
    }
    if (signal.aborted) throw new Error('interrupted');

    const secondHalf = checkpoints.filter((point) => point.atSec >= (checkpoints.at(-1)!.atSec / 2));
    const slope = slopeMbPerMinute(secondHalf);
    const afterMillion = checkpoints.find((point) => point.requests >= 1_000_000);
    const last = checkpoints.at(-1)!;
    const verdict = {
      flat: slope <= FLAT_MB_PER_MINUTE,
      slopeMbPerMinuteSecondHalf: Math.round(slope * 100) / 100,
      rssMbAfterMillion: afterMillion && Math.round(afterMillion.rssMb * 10) / 10,
      peakRssMb: Math.round(Math.max(...checkpoints.map((point) => point.peakRssMb)) * 10) / 10,
      requests: last.requests,
      errors: last.errors,
    };
    process.stdout.write(`\nRSS slope over the second half: ${verdict.slopeMbPerMinuteSecondHalf} MB/min (${verdict.flat ? 'flat' : 'GROWING'}, limit ${FLAT_MB_PER_MINUTE})\n` +
      `RSS after 1M requests: ${verdict.rssMbAfterMillion === undefined ? 'not reached' : `${verdict.rssMbAfterMillion} MB`}; peak ${verdict.peakRssMb} MB; ${last.requests.toLocaleString('en-US')} requests, ${last.errors} errors\n`);
    await mkdir(settings.outDir, { recursive: true });
    const file = join(settings.outDir, `soak-${startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
    await writeFile(file, `${JSON.stringify({ startedAt, command: `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim(), settings, verdict, checkpoints }, null, 2)}\n`);
    process.stdout.write(`results: ${file}\n`);
    if (!verdict.flat || last.errors > 0) process.exitCode = 1;
  } finally {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());
process.once('SIGTERM', () => interrupted.abort());
try {
  await soak(options(), interrupted.signal);
} catch (error) {
  process.stderr.write(`soak: ${interrupted.signal.aborted ? 'interrupted' : (error as Error).message}\n`);
  process.exitCode = interrupted.signal.aborted ? 130 : 2;
}
