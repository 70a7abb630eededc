// How long a first try may go without response headers before a hedge is sent elsewhere: a fixed delay, or
// "p95", the 95th percentile of the pool's recent times to headers, so only the slowest twentieth is hedged.

export interface HedgeDelay {
  /** Milliseconds to wait; undefined while there is no basis yet (p95 before its first samples). */
  current(): number | undefined;
  /** A try's time to response headers; kept only where the delay follows them. */
  record(ms: number): void;
}

/** Samples the percentile is taken over, and how often it is recomputed (a sort, never per request). */
const WINDOW = 1_000;
const RECOMPUTE_EVERY = 100;
/** Below a millisecond a timer cannot tell the difference. */
const FLOOR_MS = 1;

/** retry.hedgeAfterMs: 0 (off), a fixed number of ms, or "p95". */
export function hedgeDelay(setting: number | 'p95'): HedgeDelay | undefined {
  if (setting === 'p95') return new RecentPercentile(0.95);
  return setting > 0 ? new FixedDelay(setting) : undefined;
}

class FixedDelay implements HedgeDelay {
  constructor(private readonly ms: number) {}

  current(): number {
    return this.ms;
  }

  record(): void {}
}

class RecentPercentile implements HedgeDelay {
  private readonly samples = new Float64Array(WINDOW);
  private readonly sorted = new Float64Array(WINDOW);
  private recorded = 0;
  private value: number | undefined;

  constructor(private readonly quantile: number) {}

  current(): number | undefined {
    return this.value;
  }

  record(ms: number): void {
    this.samples[this.recorded % WINDOW] = ms;
    this.recorded += 1;
    if (this.recorded % RECOMPUTE_EVERY === 0) this.recompute();
  }

  private recompute(): void {
    const filled = Math.min(this.recorded, WINDOW);
    const view = this.sorted.subarray(0, filled);
    view.set(this.samples.subarray(0, filled));
    view.sort();
    this.value = Math.max(FLOOR_MS, view[Math.min(filled - 1, Math.floor(this.quantile * filled))]!);
  }
}
