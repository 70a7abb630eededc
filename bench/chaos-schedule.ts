// Chaos scenarios: what happens to which backend when, as offsets from the start of the load.
// Each fault is undone later in the run, so the report can time both the ejection and the re-admission.
import { deployKills } from './chaos-deploy.js';

export type ChaosAction =
  | { kind: 'kill' } // SIGKILL: connections reset, then refused
  | { kind: 'restart' }
  | { kind: 'freeze' } // SIGSTOP: connections accepted by the kernel, never answered
  | { kind: 'thaw' }
  | { kind: 'faults'; faults: Record<string, number | boolean>; label: string };

export interface ChaosEvent {
  atMs: number;
  /** Index into the backends (0-based). */
  backend: number;
  action: ChaosAction;
}

export const SCENARIOS = ['mixed', 'kills', 'partial-hang', 'deploy', 'flood'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Actions that take a backend out, and those that should bring it back. */
export const BREAKS = new Set(['kill', 'freeze', 'faults-on']);

export function describeAction(action: ChaosAction): string {
  return action.kind === 'faults' ? action.label : action.kind;
}

/** The events for a run of durationMs, spread so each fault has time to be noticed and undone. */
export function buildSchedule(scenario: Scenario, durationMs: number, backends: number): ChaosEvent[] {
  if (scenario === 'flood') return []; // no backend fault: the fault is a client (chaos-flood.ts)
  if (scenario === 'deploy') return deployKills(durationMs);
  if (scenario === 'kills') return killEveryFiveSeconds(durationMs, backends);
  return scenario === 'partial-hang' ? partialHang(durationMs) : mixed(durationMs);
}

/**
 * The second backend hangs half of its requests from 10 % to 90 % of the run while /health keeps
 * answering: health checks never take it out, so only per-try timeouts and hedging spare the clients.
 */
function partialHang(durationMs: number): ChaosEvent[] {
  return [
    { atMs: Math.round(durationMs * 0.1), backend: 1, action: { kind: 'faults', faults: { hangRate: 0.5 }, label: 'hangs 50%' } },
    { atMs: Math.round(durationMs * 0.9), backend: 1, action: { kind: 'faults', faults: {}, label: 'faults off' } },
  ];
}

/** One of the backends SIGKILLed every 5 s in turn, each restarted 2.5 s after its kill. */
function killEveryFiveSeconds(durationMs: number, backends: number): ChaosEvent[] {
  const events: ChaosEvent[] = [];
  for (let at = 2_500, turn = 0; at + 2_500 < durationMs; at += 5_000, turn++) {
    const backend = turn % backends;
    events.push({ atMs: at, backend, action: { kind: 'kill' } }, { atMs: at + 2_500, backend, action: { kind: 'restart' } });
  }
  return events;
}

/** Kill, freeze, slow and half-broken backends, one after another, scaled to the run's length. */
function mixed(durationMs: number): ChaosEvent[] {
  const at = (fraction: number) => Math.round(durationMs * fraction);
  return [
    { atMs: at(0.1), backend: 0, action: { kind: 'kill' } },
    { atMs: at(0.2), backend: 0, action: { kind: 'restart' } },
    { atMs: at(0.3), backend: 1, action: { kind: 'freeze' } },
    { atMs: at(0.45), backend: 1, action: { kind: 'thaw' } },
    { atMs: at(0.55), backend: 2, action: { kind: 'faults', faults: { delayMs: 200 }, label: 'slow (200 ms)' } },
    { atMs: at(0.65), backend: 2, action: { kind: 'faults', faults: {}, label: 'faults off' } },
    { atMs: at(0.7), backend: 0, action: { kind: 'faults', faults: { errorRate: 0.5 }, label: '50% 500s' } },
    { atMs: at(0.85), backend: 0, action: { kind: 'faults', faults: {}, label: 'faults off' } },
  ];
}
