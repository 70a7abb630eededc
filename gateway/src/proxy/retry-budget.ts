// Retry budget: retries may be at most `ratio` of requests over the last 10 s (but always `minPerSecond`),
// so a sick pool is not hit by a retry storm. Counted in one-second buckets on a coarse clock.

const WINDOW_SECONDS = 10;

export class RetryBudget {
  private readonly requests = new Uint32Array(WINDOW_SECONDS);
  private readonly retries = new Uint32Array(WINDOW_SECONDS);
  private second = -1;

  constructor(
    private readonly ratio: number,
    private readonly minPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  recordRequest(): void {
    this.requests[this.advance()]! += 1;
  }

  /** Takes one retry from the budget when there is one left. */
  tryAcquire(): boolean {
    const slot = this.advance();
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      requests += this.requests[i]!;
      retries += this.retries[i]!;
    }
    const allowed = Math.max(this.minPerSecond * WINDOW_SECONDS, this.ratio * requests);
    if (retries >= allowed) return false;
    this.retries[slot]! += 1;
    return true;
  }

  /** Clears the buckets of seconds that passed since the last call; returns the current bucket. */
  private advance(): number {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second && this.second >= 0) {
      const passed = Math.min(second - this.second, WINDOW_SECONDS);
      for (let i = 1; i <= passed; i++) {
        const slot = (this.second + i) % WINDOW_SECONDS;
        this.requests[slot] = 0;
        this.retries[slot] = 0;
      }
    }
    this.second = second;
    return second % WINDOW_SECONDS;
  }
}
