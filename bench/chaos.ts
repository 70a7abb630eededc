// `npm run chaos`: the gateway and its demo backends under autocannon load while a schedule kills,
// freezes, slows, half-breaks or half-hangs backends, or (deploy) switches a route between two pools while
// backends die. Prints progress and a report (with every GET's wait), writes JSON and an SVG timeline, and
// exits 1 if any GET failed or a switch was refused or, in partial-hang with tail tolerance on, if over 1 % of
// GETs took over 1 s. Bounded: the load stops after --duration; every process is stopped at the end.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEPLOY_BACKEND_IDS, deployGatewayEnv, poolOf, scheduleSwitches } from './chaos-deploy.js';
import { reapBackend, setFaults, signalBackend, singlePoolEnv, startBackend, startBackends, startGateway, waitForPool, type ChaosBackend } from './chaos-fleet.js';
import { runFlood } from './chaos-flood.js';
import { chaosOptions, tailToleranceEnv } from './chaos-options.js';
import { backendIdOf, PhaseShares } from './chaos-phases.js';
import { renderSvg, renderTable, timeEvents, type ChaosReport, type EventTiming, type SecondCounts } from './chaos-report.js';
import { buildSchedule, describeAction, type ChaosEvent } from './chaos-schedule.js';
import { WaitRecorder } from './chaos-waits.js';
import { stopAll } from './processes.js';

async function apply(event: ChaosEvent, backend: ChaosBackend): Promise<void> {
  switch (event.action.kind) {
    case 'kill':
      signalBackend(backend, 'SIGKILL');
      return reapBackend(backend);
    case 'restart':
      return startBackend(backend);
    case 'freeze':
      return signalBackend(backend, 'SIGSTOP');
    case 'thaw':
      return signalBackend(backend, 'SIGCONT');
    case 'faults':
      return setFaults(backend, event.action.faults);
  }
}

/** The gateway's non-zero counts of one counter by one label, from /metrics (empty if it has none). */
async function countsByLabel(adminUrl: string, metric: string, label: string): Promise<Record<string, number>> {
  try {
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    const series = new RegExp(`^${metric}\\{${label}="([^"]+)"\\} (\\d+)`, 'gm');
    return Object.fromEntries([...text.matchAll(series)].map((m) => [m[1]!, Number(m[2])]).filter(([, n]) => n !== 0));
  } catch {
    return {};
  }
}

/** autocannon's per-GET timeout, below the gateway's 30 s response-headers timeout. */
const CLIENT_TIMEOUT_SEC = 10;
/** With tail tolerance on, partial-hang fails if more GETs than this share (%) wait over 1 s. */
const MAX_OVER_1S_PERCENT = 1;
/** A frozen backend's clients are counted until this long after the thaw. */
const AFTER_THAW_MS = 2_000;

async function run(): Promise<number> {
  const opts = chaosOptions();
  if (opts.scenario === 'flood') return runFlood(opts);
  let startedAt = Date.now();
  const gatewayEnv = tailToleranceEnv(opts.tailTolerance); // before any process starts: it may refuse
  const deploy = opts.scenario === 'deploy';
  const adminToken = randomBytes(24).toString('hex'); // this run's own; only the split switches use it
  const backends = await startBackends(deploy ? DEPLOY_BACKEND_IDS : ['backend-1', 'backend-2', 'backend-3']);
  const poolsEnv = deploy ? deployGatewayEnv(backends, adminToken) : singlePoolEnv(backends);
  const gateway = await startGateway({ ...poolsEnv, ...gatewayEnv }, () => Date.now() - startedAt);
  const schedule = buildSchedule(opts.scenario, opts.durationSec * 1000, backends.length);
  await waitForPool(gateway.adminUrl, backends.map((backend) => backend.id));

  const timeline: SecondCounts[] = Array.from({ length: opts.durationSec + 1 }, () => ({ ok: 0, failed: 0 }));
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const share: Record<string, number> = {};
  const phases = deploy ? new PhaseShares(poolOf) : undefined;
  const switches: EventTiming[] = [];
  const waits = new WaitRecorder(() => Date.now() - startedAt, CLIENT_TIMEOUT_SEC * 1000);
  const second = () => timeline[Math.min(opts.durationSec, Math.floor((Date.now() - startedAt) / 1000))]!;
  startedAt = Date.now();
  gateway.changes.length = 0; // only reactions to this run's events count
  const say = (what: string) => opts.quiet || process.stderr.write(`chaos: ${((Date.now() - startedAt) / 1000).toFixed(1)} s  ${what}\n`);
  const timers = schedule.map((event) =>
    setTimeout(() => {
      void apply(event, backends[event.backend]!).catch(() => {});
      say(`${backends[event.backend]!.id} ${describeAction(event.action)}`);
    }, event.atMs),
  );
  if (phases) timers.push(...scheduleSwitches({ adminUrl: gateway.adminUrl, adminToken, durationMs: opts.durationSec * 1000, sinceStart: () => Date.now() - startedAt, phases, say }, switches));
  const progress = opts.quiet ? undefined : setInterval(() => {
    const last = timeline[Math.max(0, Math.floor((Date.now() - startedAt) / 1000) - 1)]!;
    process.stderr.write(`chaos: ${Math.round((Date.now() - startedAt) / 1000)}/${opts.durationSec} s  ${last.ok} ok/s  ${last.failed} failed/s\n`);
  }, 5_000);

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${gateway.url}/hello`,
        connections: opts.connections,
        duration: opts.durationSec,
        timeout: CLIENT_TIMEOUT_SEC,
        setupClient: (client) => {
          waits.watch(client);
          phases?.watch(client);
          client.on('headers', (info) => {
            const id = backendIdOf(info);
            share[id] = (share[id] ?? 0) + 1;
          });
        },
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) second().ok += 1;
      else second().failed += 1;
    });
    instance.on('reqError', (error: { code?: string; message?: string }) => {
      const kind = error.code ?? error.message ?? 'error';
      errors[kind] = (errors[kind] ?? 0) + 1;
      second().failed += 1;
    });
  });
  timers.forEach(clearTimeout);
  clearInterval(progress);

  const failedStatuses = Object.entries(statuses).filter(([code]) => !code.startsWith('2')).reduce((sum, [, n]) => sum + n, 0);
  const report: ChaosReport = {
    scenario: opts.scenario,
    tailTolerance: opts.tailTolerance,
    date: new Date().toISOString(),
    durationSec: opts.durationSec,
    connections: opts.connections,
    requests: result.requests.total,
    // autocannon's errors include its timeouts (each also arrives as a 'request timed out' reqError).
    failedGets: failedStatuses + result.errors,
    statuses,
    errors,
    retries: await countsByLabel(gateway.adminUrl, 'gateway_retries_total', 'reason'),
    hedges: await countsByLabel(gateway.adminUrl, 'gateway_hedges_total', 'outcome'),
    share,
    ...(phases ? { phases: phases.summary(opts.durationSec * 1000) } : {}),
    waits: waits.summary(),
    freezeWindows: schedule.flatMap((event) => {
      if (event.action.kind !== 'freeze') return [];
      const thaw = schedule.find((later) => later.backend === event.backend && later.action.kind === 'thaw' && later.atMs > event.atMs);
      const toMs = thaw ? thaw.atMs + AFTER_THAW_MS : opts.durationSec * 1000;
      return [{ backend: backends[event.backend]!.id, ...waits.window(event.atMs, toMs) }];
    }),
    events: [...timeEvents(schedule, backends.map((b) => b.id), gateway.changes), ...switches].sort((a, b) => a.atMs - b.atMs),
    timeline,
  };
  await mkdir(opts.outDir, { recursive: true });
  const base = join(opts.outDir, `chaos-${report.date.replace(/[:.]/g, '-')}`);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.svg`, renderSvg(report));
  process.stdout.write(`${renderTable(report)}\n\nwrote ${base}.json and ${base}.svg\n`);
  const tooSlow = opts.scenario === 'partial-hang' && opts.tailTolerance && report.waits.over1sPercent > MAX_OVER_1S_PERCENT;
  if (tooSlow) process.stdout.write(`more than ${MAX_OVER_1S_PERCENT}% of GETs took over 1 s with tail tolerance on\n`);
  const refused = switches.filter((event) => event.refused !== undefined).length;
  if (refused > 0) process.stdout.write(`${refused} split switch(es) refused by the gateway\n`);
  return report.failedGets === 0 && !tooSlow && refused === 0 ? 0 : 1;
}

process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
run().then(
  async (code) => {
    await stopAll();
    process.exit(code);
  },
  async (error: Error) => {
    process.stderr.write(`chaos: ${error.message}\n`);
    await stopAll();
    process.exit(2);
  },
);
