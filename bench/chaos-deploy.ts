// The deploy scenario: two pools of demo backends, blue and green, behind one route whose split is switched
// during the run through the admin API — blue-green (blue 100 → green 100), then a canary ramp back to blue
// (50 %, then 100 %) — while a backend of the pool taking traffic is SIGKILLed and restarted in each phase.
import type { ChaosBackend } from './chaos-fleet.js';
import { originOf } from './chaos-fleet.js';
import type { PhaseShares } from './chaos-phases.js';
import type { EventTiming } from './chaos-report.js';
import type { ChaosEvent } from './chaos-schedule.js';

export const DEPLOY_ROUTE = 'app';
export const DEPLOY_POOLS = ['blue', 'green'] as const;
export type DeployPool = (typeof DEPLOY_POOLS)[number];
export type Split = Record<DeployPool, number>;

/**
 * Three per pool: after one is killed two are left, so the next phase may kill another of the same pool
 * while the first is still ejected.
 */
const PER_POOL = 3;
export const DEPLOY_BACKEND_IDS = DEPLOY_POOLS.flatMap((pool) => Array.from({ length: PER_POOL }, (_, i) => `${pool}-${i + 1}`));

/** Which pool answered, from the x-backend-id the demo backend sends (its id names its pool). */
export function poolOf(backendId: string): DeployPool | undefined {
  return DEPLOY_POOLS.find((pool) => backendId.startsWith(`${pool}-`));
}

export interface DeployStep {
  /** Where the step falls in the run (0-1); step 0 is the gateway's config at start. */
  at: number;
  label: string;
  split: Split;
}

export const DEPLOY_STEPS: readonly DeployStep[] = [
  { at: 0, label: 'blue live', split: { blue: 100, green: 0 } },
  { at: 0.25, label: 'blue-green switch', split: { blue: 0, green: 100 } },
  { at: 0.5, label: 'canary back 50 %', split: { blue: 50, green: 50 } },
  { at: 0.75, label: 'canary back 100 %', split: { blue: 100, green: 0 } },
];

export function formatSplit(split: Split): string {
  return DEPLOY_POOLS.map((pool) => `${pool}=${split[pool]}`).join(' ');
}

const splitBody = (split: Split) => DEPLOY_POOLS.map((pool) => ({ pool, weight: split[pool] }));

/** GATEWAY_POOLS and GATEWAY_ROUTES for the two pools and the route, at step 0's split; the token the switches need. */
export function deployGatewayEnv(backends: readonly ChaosBackend[], adminToken: string): Record<string, string> {
  const pools = Object.fromEntries(
    DEPLOY_POOLS.map((pool) => [pool, { backends: backends.filter((b) => poolOf(b.id) === pool).map((b) => ({ id: b.id, url: originOf(b) })) }]),
  );
  return {
    GATEWAY_POOLS: JSON.stringify(pools),
    GATEWAY_ROUTES: JSON.stringify([{ name: DEPLOY_ROUTE, split: splitBody(DEPLOY_STEPS[0]!.split) }]),
    GATEWAY_ADMIN_TOKEN: adminToken,
  };
}

export interface SwitchContext {
  adminUrl: string;
  adminToken: string;
  durationMs: number;
  /** ms since the load started. */
  sinceStart: () => number;
  phases: PhaseShares;
  say: (what: string) => void;
}

/**
 * Starts phase 0 and sets a timer per later step that switches the split and starts its phase once the
 * gateway has confirmed it; GETs sent while a PUT is under way fall in a switch window of their own. Each
 * switch's timing (or refusal) is pushed to `events` when the gateway has answered.
 */
export function scheduleSwitches(context: SwitchContext, events: EventTiming[]): NodeJS.Timeout[] {
  const { phases, sinceStart } = context;
  let live = DEPLOY_STEPS[0]!;
  phases.begin(live.label, live.split, 0);
  return DEPLOY_STEPS.slice(1).map((step) =>
    setTimeout(async () => {
      const atMs = sinceStart();
      phases.begin(`switch to ${formatSplit(step.split)}`, step.split, atMs, true);
      const { tookMs, error } = await switchSplit(context.adminUrl, context.adminToken, step.split);
      if (error === undefined) live = step;
      phases.begin(error === undefined ? step.label : `${step.label} (refused)`, live.split, sinceStart());
      events.push({ atMs, backend: `route ${DEPLOY_ROUTE}`, action: formatSplit(step.split), ...(error === undefined ? { appliedAfterMs: tookMs } : { refused: error }) });
      context.say(`route ${DEPLOY_ROUTE} ${step.label}: ${formatSplit(step.split)} ${error === undefined ? `applied after ${tookMs} ms` : `REFUSED: ${error}`}`);
    }, Math.round(step.at * context.durationMs)),
  );
}

/** PUT /routes/app/split; resolves with how long the gateway took to confirm it, or why it refused. */
async function switchSplit(adminUrl: string, adminToken: string, split: Split): Promise<{ tookMs: number; error?: string }> {
  const started = performance.now();
  try {
    const response = await fetch(`${adminUrl}/routes/${DEPLOY_ROUTE}/split`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ split: splitBody(split) }),
    });
    const body = await response.text();
    const tookMs = Math.round(performance.now() - started);
    return response.ok ? { tookMs } : { tookMs, error: `${response.status} ${body.slice(0, 200)}` };
  } catch (error) {
    return { tookMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

/**
 * A killed backend is surely back in its pool this long after the kill: passive health ejects it for 5 s,
 * and by then the restarted process has passed its probes (rise 2 at 1 s), with a margin.
 */
const BACK_AFTER_KILL_MS = 7_000;
/** Within a phase: the kill, and the restart on the same port. */
const KILL_AT = 0.3;
const RESTART_AT = 0.7;

/**
 * One kill and restart per phase, of a backend in a pool that takes traffic in that phase, chosen so that
 * another member of its pool is surely back from any earlier kill (else the pool could have none to serve).
 * A phase with no such backend (a short run) has no kill. Backends killed least recently go first.
 */
export function deployKills(durationMs: number): ChaosEvent[] {
  const killedAt = new Map<number, number>();
  const isBack = (index: number, atMs: number) => atMs - (killedAt.get(index) ?? -BACK_AFTER_KILL_MS) >= BACK_AFTER_KILL_MS;
  const events: ChaosEvent[] = [];
  DEPLOY_STEPS.forEach((step, phase) => {
    const fromMs = step.at * durationMs;
    const lengthMs = (DEPLOY_STEPS[phase + 1]?.at ?? 1) * durationMs - fromMs;
    const killMs = Math.round(fromMs + KILL_AT * lengthMs);
    const candidates = DEPLOY_BACKEND_IDS.map((id, index) => ({ index, pool: poolOf(id)! })).filter(
      ({ index, pool }) =>
        step.split[pool] > 0 &&
        isBack(index, killMs) &&
        DEPLOY_BACKEND_IDS.some((mate, mateIndex) => mateIndex !== index && poolOf(mate) === pool && isBack(mateIndex, killMs)),
    );
    const never = -Infinity;
    const victim = candidates.sort((a, b) => (killedAt.get(a.index) ?? never) - (killedAt.get(b.index) ?? never) || a.index - b.index)[0];
    if (!victim) return;
    killedAt.set(victim.index, killMs);
    events.push(
      { atMs: killMs, backend: victim.index, action: { kind: 'kill' } },
      { atMs: Math.round(fromMs + RESTART_AT * lengthMs), backend: victim.index, action: { kind: 'restart' } },
    );
  });
  return events;
}
