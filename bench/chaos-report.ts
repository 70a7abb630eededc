// The chaos run's report: what clients saw, how fast the gateway reacted to each event, the per-backend
// share (and in deploy, the per-pool share of each phase); printed as a table and written as JSON and an
// SVG timeline with the events marked.
import { describeAction, type ChaosEvent } from './chaos-schedule.js';
import type { StateChange } from './chaos-fleet.js';
import type { PhaseShare } from './chaos-phases.js';
import type { WaitSummary, WindowWaits } from './chaos-waits.js';

export interface SecondCounts {
  ok: number;
  failed: number;
}

export interface EventTiming {
  atMs: number;
  backend: string;
  action: string;
  /** For a fault: ms until the gateway took the backend out (down or ejected). */
  outAfterMs?: number;
  /** For a repair: ms until the gateway had it up again. */
  backAfterMs?: number;
  /** For a split switch: ms until the admin API confirmed it. */
  appliedAfterMs?: number;
  /** For a split switch the gateway refused: its status and answer. */
  refused?: string;
}

export interface ChaosReport {
  scenario: string;
  /** The gateway ran with a per-try timeout and hedging (--tail-tolerance on). */
  tailTolerance: boolean;
  date: string;
  durationSec: number;
  connections: number;
  requests: number;
  /** GETs that did not get a 2xx: non-2xx statuses and transport errors (the run fails if any). */
  failedGets: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  retries: Record<string, number>;
  /** Hedged tries by outcome (won, lost, skipped); empty when the gateway hedged none. */
  hedges: Record<string, number>;
  share: Record<string, number>;
  /** deploy: the route's split and the answers by pool in each phase, switch to switch. */
  phases?: PhaseShare[];
  /** Every GET's wait, exact (from each response, timeout and connection error). */
  waits: WaitSummary;
  /** Per frozen backend: the GETs that ended from the freeze to 2 s after the thaw. */
  freezeWindows: Array<WindowWaits & { backend: string }>;
  events: EventTiming[];
  timeline: SecondCounts[];
}

const OUT_STATES = new Set(['down', 'ejected']);

/** Matches each scheduled event with the gateway's first reaction to it. */
export function timeEvents(events: ChaosEvent[], ids: string[], changes: StateChange[]): EventTiming[] {
  return events.map((event) => {
    const backend = ids[event.backend]!;
    const action = describeAction(event.action);
    const after = changes.filter((change) => change.backend === backend && change.atMs >= event.atMs);
    const faults = event.action.kind === 'faults' ? event.action.faults : {};
    const breaks = event.action.kind === 'kill' || event.action.kind === 'freeze' || Number(faults.errorRate ?? 0) > 0 || Number(faults.hangRate ?? 0) > 0;
    const wanted = breaks ? after.find((change) => OUT_STATES.has(change.to)) : after.find((change) => change.to === 'up');
    const timing: EventTiming = { atMs: event.atMs, backend, action };
    if (wanted && breaks) timing.outAfterMs = wanted.atMs - event.atMs;
    if (wanted && !breaks) timing.backAfterMs = wanted.atMs - event.atMs;
    return timing;
  });
}

export function renderTable(report: ChaosReport): string {
  const { waits } = report;
  const lines = [
    `chaos "${report.scenario}" (tail tolerance ${report.tailTolerance ? 'on' : 'off'}): ${report.requests} GETs in ${report.durationSec} s over ${report.connections} connections`,
    `failed GETs: ${report.failedGets}   statuses: ${JSON.stringify(report.statuses)}   errors: ${JSON.stringify(report.errors)}`,
    `waits: ${waits.gets} GETs sent (${waits.answered} answered, ${waits.timedOut} timed out, ${waits.connectionErrors} connection errors, ${waits.unfinished} unfinished at the end)`,
    `  over 1 s: ${waits.over1s} (${waits.over1sPercent}%)   over 2 s: ${waits.over2s}   p50 ${waits.p50Ms} ms   p99 ${waits.p99Ms} ms   max ${waits.maxMs} ms`,
    ...report.freezeWindows.map(
      (window) => `  ${window.backend} frozen (GETs ending ${(window.fromMs / 1000).toFixed(1)}-${(window.toMs / 1000).toFixed(1)} s): ${window.gets} GETs, ${window.over1s} waited over 1 s, ${window.over2s} over 2 s`,
    ),
    `retries by cause: ${JSON.stringify(report.retries)}   hedges by outcome: ${JSON.stringify(report.hedges)}`,
    `share by backend: ${Object.entries(report.share).map(([id, n]) => `${id} ${percent(n, report.requests)}`).join(', ')}`,
    ...phaseLines(report.phases),
    '',
    '  at (s)  backend     event             gateway reaction',
  ];
  for (const event of report.events) {
    lines.push(`  ${(event.atMs / 1000).toFixed(1).padStart(6)}  ${event.backend.padEnd(10)}  ${event.action.padEnd(16)}  ${reaction(event)}`);
  }
  return lines.join('\n');
}

function reaction(event: EventTiming): string {
  if (event.refused !== undefined) return `REFUSED: ${event.refused}`;
  if (event.appliedAfterMs !== undefined) return `applied after ${event.appliedAfterMs} ms`;
  if (event.outAfterMs !== undefined) return `out after ${event.outAfterMs} ms`;
  return event.backAfterMs !== undefined ? `back after ${event.backAfterMs} ms` : '—';
}

const percent = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;

function phaseLines(phases: PhaseShare[] | undefined): string[] {
  if (!phases) return [];
  return [
    'share by pool per phase (each GET in the phase it was sent in; a phase starts when its switch is confirmed,',
    'and GETs sent while the switch was under way count in a switch window, routed by either split):',
    ...phases.map((phase) => {
      const split = phase.switching ? 'switch window' : `split ${Object.entries(phase.split).map(([pool, weight]) => `${pool} ${weight}`).join(' / ')}`;
      const span = `${(phase.fromMs / 1000).toFixed(2)}-${(phase.toMs / 1000).toFixed(2)} s`;
      const shares = Object.keys({ ...phase.split, ...phase.byPool }).map((pool) => `${pool} ${percent(phase.byPool[pool] ?? 0, phase.answers)}`).join(', ');
      return `  ${phase.label.padEnd(27)}  ${span.padEnd(13)}  ${split.padEnd(24)}  ${String(phase.answers).padStart(7)} answers: ${shares}`;
    }),
  ];
}

/** Throughput (2xx per second) and failures over time, with a marker per event. */
export function renderSvg(report: ChaosReport): string {
  const width = 760;
  const height = 300;
  const left = 60;
  const top = 40;
  const plotW = width - left - 20;
  const plotH = height - top - 50;
  const seconds = Math.max(1, report.timeline.length);
  const peak = Math.max(1, ...report.timeline.map((s) => s.ok + s.failed));
  const x = (second: number) => left + (plotW * second) / seconds;
  const y = (value: number) => top + plotH - (plotH * value) / peak;
  const line = (pick: (s: SecondCounts) => number) => report.timeline.map((s, i) => `${x(i + 0.5).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
  const markers = report.events
    .map((event) => {
      const at = x(event.atMs / 1000).toFixed(1);
      return `<line x1="${at}" y1="${top}" x2="${at}" y2="${top + plotH}" stroke="#999" stroke-dasharray="3,3"/><text x="${at}" y="${top - 4}" font-size="9" text-anchor="middle">${escape(`${event.backend.replace('backend-', 'b')} ${event.action}`)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="16" font-size="13">Chaos "${escape(report.scenario)}": ${report.requests} GETs, ${report.failedGets} failed (${escape(report.date)})</text>
<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="black"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="black"/>
<text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${peak}/s</text>
<text x="${left + plotW}" y="${top + plotH + 16}" font-size="10" text-anchor="end">${seconds} s</text>
${markers}
<polyline fill="none" stroke="#2a7" stroke-width="2" points="${line((s) => s.ok)}"/>
<polyline fill="none" stroke="#d33" stroke-width="2" points="${line((s) => s.failed)}"/>
<text x="${left}" y="${height - 12}" font-size="11"><tspan fill="#2a7">— 2xx per second</tspan>   <tspan fill="#d33">— failed per second</tspan>   <tspan fill="#999">┆ chaos event</tspan></text>
</svg>
`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
