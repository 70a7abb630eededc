// How long each GET of a chaos run waited, exactly: autocannon's latency histogram gives percentiles only,
// so its per-client events are followed instead. Every GET counts, however it ended: answered (any status),
// timed out on the client, cut by a connection error, or still waiting when the load stopped.
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

/** Waits over these make a GET "slow" in the report. */
const OVER_1S_MS = 1_000;
const OVER_2S_MS = 2_000;

export interface WaitSummary {
  /** Every GET sent: answered + timedOut + connectionErrors + unfinished. */
  gets: number;
  answered: number;
  timedOut: number;
  connectionErrors: number;
  /** Still waiting when the load stopped; their wait so far counts (a lower bound). */
  unfinished: number;
  over1s: number;
  /** over1s as a percentage of gets. */
  over1sPercent: number;
  over2s: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface WindowWaits {
  fromMs: number;
  toMs: number;
  /** GETs that ended (however) inside the window. */
  gets: number;
  over1s: number;
  over2s: number;
}

type Outcome = 'answered' | 'timedOut' | 'connectionErrors' | 'unfinished';

export class WaitRecorder {
  /** When each GET ended, in ms since the run started, and how long it had waited. */
  private readonly endedAt: number[] = [];
  private readonly waited: number[] = [];
  private readonly counts: Record<Outcome, number> = { answered: 0, timedOut: 0, connectionErrors: 0, unfinished: 0 };

  /** sinceStart: ms since the load started (the clock of the run's events); timeoutMs: autocannon's per-GET timeout. */
  constructor(
    private readonly sinceStart: () => number,
    private readonly timeoutMs: number,
  ) {}

  /** For autocannon's setupClient. With pipelining 1 a client has one GET out at a time. */
  watch(client: EventEmitter): void {
    let sentAt: number | undefined;
    client.on('request', () => (sentAt = performance.now()));
    // responseTime is autocannon's own hrtime measure from write to the response's last byte.
    client.on('response', (_status: number, _bytes: number, responseTime: number) => this.end('answered', responseTime));
    // autocannon sends the next GET before it reports a timeout, so sentAt is already the new one's.
    client.on('timeout', () => this.end('timedOut', this.timeoutMs));
    client.on('connError', () => this.end('connectionErrors', sentAt === undefined ? 0 : performance.now() - sentAt));
    // 'done': the load stopped; the GET still out is abandoned unanswered.
    client.on('done', () => sentAt !== undefined && this.end('unfinished', performance.now() - sentAt));
  }

  summary(): WaitSummary {
    const sorted = Float64Array.from(this.waited).sort();
    const over1s = this.countOver(OVER_1S_MS, 0, Infinity);
    return {
      gets: sorted.length,
      ...this.counts,
      over1s,
      over1sPercent: sorted.length === 0 ? 0 : round((100 * over1s) / sorted.length, 3),
      over2s: this.countOver(OVER_2S_MS, 0, Infinity),
      p50Ms: round(percentile(sorted, 0.5), 2),
      p99Ms: round(percentile(sorted, 0.99), 2),
      maxMs: round(sorted.at(-1) ?? 0, 2),
    };
  }

  /** The GETs that ended in [fromMs, toMs] of the run, and how many of them had waited over 1 s and 2 s. */
  window(fromMs: number, toMs: number): WindowWaits {
    const gets = this.endedAt.filter((at) => at >= fromMs && at <= toMs).length;
    return { fromMs, toMs, gets, over1s: this.countOver(OVER_1S_MS, fromMs, toMs), over2s: this.countOver(OVER_2S_MS, fromMs, toMs) };
  }

  private end(outcome: Outcome, waitedMs: number): void {
    this.counts[outcome] += 1;
    this.endedAt.push(this.sinceStart());
    this.waited.push(waitedMs);
  }

  private countOver(limitMs: number, fromMs: number, toMs: number): number {
    let count = 0;
    for (let i = 0; i < this.waited.length; i++) {
      if (this.waited[i]! > limitMs && this.endedAt[i]! >= fromMs && this.endedAt[i]! <= toMs) count++;
    }
    return count;
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
