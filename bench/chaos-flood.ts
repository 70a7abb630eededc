// `npm run chaos -- --scenario flood`: one abusive client at 20× the per-client rate limit and a few normal
// clients well under it, each its own x-client-id, through a gateway whose one route limits per client. The
// normal clients must see no failure and the abuser must be limited to about its quota; prints a report, writes
// JSON, exits 1 otherwise. Bounded: both loads stop after --duration.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { singlePoolEnv, startBackends, startGateway, waitForPool } from './chaos-fleet.js';
import type { ChaosOptions } from './chaos-options.js';

/** The route's limit per client: 20 requests at once, 20 per second over time. */
export const FLOOD_LIMIT = { rate: 20, burst: 20 };
/** The abuser asks for 20× the limit. */
const ABUSER_RATE = FLOOD_LIMIT.rate * 20;
const ABUSER_CONNECTIONS = 10;
const NORMAL_CLIENTS = 5;
/** Each normal client asks for a quarter of its limit. */
const NORMAL_RATE = FLOOD_LIMIT.rate / 4;
const CLIENT_TIMEOUT_SEC = 10;

interface Tally {
  requests: number;
  statuses: Record<string, number>;
  errors: number;
}

export interface FloodReport {
  scenario: 'flood';
  date: string;
  durationSec: number;
  limit: typeof FLOOD_LIMIT & { key: string };
  abuser: Tally & { offeredPerSec: number; passedPerSec: number };
  normal: Tally & { clients: number; offeredPerSecEach: number; failures: number };
  /** gateway_rate_limited_total from the gateway's /metrics. */
  rateLimited: number;
}

function load(url: string, options: Omit<autocannon.Options, 'url'>, tally: Tally): Promise<void> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, timeout: CLIENT_TIMEOUT_SEC, ...options }, (error) => (error ? reject(error) : resolve()));
    instance.on('response', (_client, statusCode) => {
      tally.requests += 1;
      tally.statuses[statusCode] = (tally.statuses[statusCode] ?? 0) + 1;
    });
    instance.on('reqError', () => {
      tally.requests += 1;
      tally.errors += 1;
    });
  });
}

async function rateLimitedTotal(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  return [...text.matchAll(/^gateway_rate_limited_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

export async function runFlood(opts: ChaosOptions): Promise<number> {
  const backends = await startBackends(['backend-1', 'backend-2', 'backend-3']);
  const limit = { ...FLOOD_LIMIT, key: 'header:x-client-id' };
  const routes = [{ name: 'api', pool: 'default', rateLimit: limit }];
  const gateway = await startGateway({ ...singlePoolEnv(backends), GATEWAY_ROUTES: JSON.stringify(routes) }, () => 0);
  await waitForPool(gateway.adminUrl, backends.map((backend) => backend.id));
  const say = (what: string) => opts.quiet || process.stderr.write(`chaos: ${what}\n`);
  say(`flood: abuser at ${ABUSER_RATE}/s, ${NORMAL_CLIENTS} normal clients at ${NORMAL_RATE}/s each, limit ${limit.burst} at once and ${limit.rate}/s per ${limit.key}`);

  const abuser: Tally = { requests: 0, statuses: {}, errors: 0 };
  const normal: Tally = { requests: 0, statuses: {}, errors: 0 };
  const url = `${gateway.url}/hello`;
  let normalIds = 0;
  await Promise.all([
    load(url, { connections: ABUSER_CONNECTIONS, overallRate: ABUSER_RATE, duration: opts.durationSec, headers: { 'x-client-id': 'abuser' } }, abuser),
    load(url, {
      connections: NORMAL_CLIENTS,
      connectionRate: NORMAL_RATE,
      duration: opts.durationSec,
      // One connection per normal client, each with its own identity.
      setupClient: (client) => client.setHeaders({ 'x-client-id': `normal-${(normalIds += 1)}` }),
    }, normal),
  ]);

  const passed = abuser.statuses['200'] ?? 0;
  const failures = normal.requests - (normal.statuses['200'] ?? 0);
  const report: FloodReport = {
    scenario: 'flood',
    date: new Date().toISOString(),
    durationSec: opts.durationSec,
    limit,
    abuser: { ...abuser, offeredPerSec: ABUSER_RATE, passedPerSec: Math.round((passed / opts.durationSec) * 10) / 10 },
    normal: { ...normal, clients: NORMAL_CLIENTS, offeredPerSecEach: NORMAL_RATE, failures },
    rateLimited: await rateLimitedTotal(gateway.adminUrl),
  };
  await mkdir(opts.outDir, { recursive: true });
  const file = join(opts.outDir, `chaos-flood-${report.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  // The abuser may pass its burst plus the rate for every second of the run, no more; a second's slack for timing.
  const allowance = limit.burst + limit.rate * (opts.durationSec + 1);
  const limited = (abuser.statuses['429'] ?? 0) > 0 && passed <= allowance;
  process.stdout.write(`${[
    `flood, ${opts.durationSec} s, limit ${limit.burst} at once and ${limit.rate}/s per ${limit.key}`,
    `normal clients (${NORMAL_CLIENTS} at ${NORMAL_RATE}/s each): ${normal.requests} requests, ${failures} failed ${JSON.stringify(normal.statuses)}${normal.errors ? `, ${normal.errors} errors` : ''}`,
    `abuser (${ABUSER_RATE}/s offered): ${abuser.requests} requests, ${passed} passed (${report.abuser.passedPerSec}/s, at most ${allowance} allowed), ${abuser.statuses['429'] ?? 0} got 429 ${JSON.stringify(abuser.statuses)}${abuser.errors ? `, ${abuser.errors} errors` : ''}`,
    `gateway_rate_limited_total: ${report.rateLimited}`,
  ].join('\n')}\n\nwrote ${file}\n`);
  if (!limited) process.stdout.write('the abuser was not held to its limit\n');
  return failures === 0 && limited ? 0 : 1;
}
