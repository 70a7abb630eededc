// The chaos script's flags, and what --tail-tolerance sets in the gateway it starts.
import { parseArgs } from 'node:util';
import { ENV_KEYS } from '../gateway/src/config.js';
import { SCENARIOS, type Scenario } from './chaos-schedule.js';

/**
 * --tail-tolerance on: a try that has not answered in 300 ms is given up for another backend, and a GET
 * whose headers have not come in 100 ms is hedged to a second one, so a hanging backend costs a client
 * about 100 ms, not the 30 s response-headers timeout.
 */
export const TAIL_TOLERANCE_ENV: Readonly<Record<string, string>> = {
  GATEWAY_RETRY_PER_TRY_TIMEOUT_MS: '300',
  GATEWAY_RETRY_HEDGE_AFTER_MS: '100',
};

export const USAGE = `usage: npm run chaos -- [--scenario mixed|kills|partial-hang|deploy|flood] [--tail-tolerance on|off] [--duration S] [--connections N] [--out DIR] [--quiet]
  mixed (default): kill+restart, freeze+thaw, 200 ms slow, 50% 500s, one after another
  kills: one of three backends SIGKILLed every 5 s, each restarted 2.5 s later
  partial-hang: one backend passes its health checks but hangs 50% of its other requests for 80% of the run
  deploy: pools blue and green (3 backends each) behind route app; at 1/4 of the run a blue-green switch
    (PUT /routes/app/split blue 0 green 100), at 1/2 and 3/4 a canary ramp back to blue (50%, 100%); in each
    phase a backend of a pool taking traffic is SIGKILLed and restarted; reports the share by pool per phase
  flood: route api limits each x-client-id to 20 at once and 20/s; one abuser asks 400/s over 10 connections while
    5 normal clients ask 5/s each (--connections is not used); reports both, exit 1 if a normal request failed or
    the abuser passed more than its quota
  --tail-tolerance on: the gateway runs with retry.perTryTimeoutMs ${TAIL_TOLERANCE_ENV.GATEWAY_RETRY_PER_TRY_TIMEOUT_MS} and retry.hedgeAfterMs ${TAIL_TOLERANCE_ENV.GATEWAY_RETRY_HEDGE_AFTER_MS}
    (default: on for partial-hang, off for the others; "off" leaves both at the gateway's default, off)
exit 1 if any GET failed (flood: any normal client's), if the gateway refused a split switch, or (partial-hang with tail tolerance on) if more than 1% of GETs took over 1 s`;

export interface ChaosOptions {
  scenario: Scenario;
  tailTolerance: boolean;
  durationSec: number;
  connections: number;
  outDir: string;
  quiet: boolean;
}

export function chaosOptions(args: string[] = process.argv.slice(2)): ChaosOptions {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: 'string', default: 'mixed' },
      'tail-tolerance': { type: 'string' },
      duration: { type: 'string', default: '30' },
      connections: { type: 'string', default: '100' },
      out: { type: 'string', default: 'bench/results' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const durationSec = Number(values.duration);
  const connections = Number(values.connections);
  const tail = values['tail-tolerance'];
  if (!SCENARIOS.includes(values.scenario as Scenario)) fail(`--scenario: "${values.scenario}" is not one of ${SCENARIOS.join(', ')}`);
  if (tail !== undefined && tail !== 'on' && tail !== 'off') fail(`--tail-tolerance: expected on or off, got "${tail}"`);
  if (!Number.isInteger(durationSec) || durationSec < 4 || durationSec > 600) fail(`--duration: expected 4 to 600 seconds, got "${values.duration}"`);
  if (!Number.isInteger(connections) || connections < 1 || connections > 1000) fail(`--connections: expected 1 to 1000, got "${values.connections}"`);
  const scenario = values.scenario as Scenario;
  return { scenario, tailTolerance: tail === undefined ? scenario === 'partial-hang' : tail === 'on', durationSec, connections, outDir: values.out!, quiet: values.quiet! };
}

/**
 * The gateway variables for tail tolerance, or none when it is off. The gateway ignores a GATEWAY_*
 * variable it does not know, so a build without these keys would silently run "on" as "off": refuse that.
 */
export function tailToleranceEnv(on: boolean): Record<string, string> {
  if (!on) return {};
  const known = new Set(ENV_KEYS.map((key) => key.env));
  const missing = Object.keys(TAIL_TOLERANCE_ENV).filter((name) => !known.has(name));
  if (missing.length > 0) throw new Error(`--tail-tolerance on: this gateway build does not know ${missing.join(' or ')}; run with --tail-tolerance off`);
  return { ...TAIL_TOLERANCE_ENV };
}

function fail(message: string): never {
  process.stderr.write(`chaos: ${message}\n${USAGE}\n`);
  process.exit(2);
}
