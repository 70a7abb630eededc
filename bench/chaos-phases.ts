// Who answered in each phase of a run whose routing changes: a phase begins when the gateway has confirmed a
// split switch, and each answer counts in the phase its GET was *sent* in, so every GET of a phase was routed
// by that phase's split (the gateway reads the split once per request, on arrival). GETs sent while a switch
// was under way (request sent, confirmation not yet in) count in a switch window of their own: either split
// may have routed them.
import type { EventEmitter } from 'node:events';

/** The x-backend-id of an answer, from autocannon's 'headers' event ('none' when it has none: a gateway error). */
export function backendIdOf(info: unknown): string {
  // autocannon hands over the parser's info, whose headers are a flat [name, value, …] list
  // (its type definitions say otherwise).
  const headers = (info as { headers?: string[] }).headers ?? [];
  const at = headers.findIndex((name, index) => index % 2 === 0 && name.toLowerCase() === 'x-backend-id');
  return at >= 0 ? headers[at + 1]! : 'none';
}

export interface PhaseShare {
  label: string;
  /** The split in force; for a switch window, the one being switched to. */
  split: Record<string, number>;
  switching: boolean;
  /** ms since the load started: from the switch's confirmation to the next one's (or the end). */
  fromMs: number;
  toMs: number;
  answers: number;
  /** Answers by pool ('none' for answers without x-backend-id). */
  byPool: Record<string, number>;
}

interface Phase {
  label: string;
  split: Record<string, number>;
  switching: boolean;
  fromMs: number;
  byPool: Record<string, number>;
}

export class PhaseShares {
  private readonly phases: Phase[] = [];

  constructor(private readonly poolOf: (backendId: string) => string | undefined) {}

  begin(label: string, split: Record<string, number>, atMs: number, switching = false): void {
    this.phases.push({ label, split: { ...split }, switching, fromMs: atMs, byPool: {} });
  }

  /** For autocannon's setupClient. With pipelining 1 a client has one GET out at a time. */
  watch(client: EventEmitter): void {
    let sentIn = 0;
    client.on('request', () => (sentIn = this.phases.length - 1));
    client.on('headers', (info: unknown) => {
      const phase = this.phases[sentIn];
      if (!phase) return;
      const pool = this.poolOf(backendIdOf(info)) ?? 'none';
      phase.byPool[pool] = (phase.byPool[pool] ?? 0) + 1;
    });
  }

  summary(endMs: number): PhaseShare[] {
    return this.phases.map((phase, index) => ({
      ...phase,
      toMs: this.phases[index + 1]?.fromMs ?? endMs,
      answers: Object.values(phase.byPool).reduce((sum, n) => sum + n, 0),
    }));
  }
}
