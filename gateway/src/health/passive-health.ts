// Passive health (outlier detection) for one backend: failures seen by live traffic within a window eject
// it for a while, twice as long on each repeated ejection up to a cap; a calm period forgives the history.
// Pure state with an injected clock, so the rules can be tested without waiting.

export interface PassiveHealthOptions {
  /** Failures within failWindowMs that eject the backend. */
  maxFails: number;
  failWindowMs: number;
  /** First ejection length; doubled on each repeat. */
  ejectTimeMs: number;
  maxEjectTimeMs: number;
}

export class PassiveHealth {
  /** Failure times inside the window, oldest first (at most maxFails are kept). */
  private readonly failures: number[] = [];
  /** Consecutive ejections without a calm period in between: sets the backoff. */
  private ejections = 0;
  private lastEjectionEnd = 0;
  /** Epoch ms until which the backend takes no traffic; 0 when not ejected. */
  ejectedUntil = 0;
  /**
   * Set by eject(), cleared by readmit() when the load balancer's timer ends the ejection: the one flag the
   * member's state reads, so the candidate set changes exactly when the load balancer rebuilds it.
   */
  ejected = false;
  reason = '';

  constructor(private readonly options: PassiveHealthOptions) {}

  isEjected(now: number): boolean {
    return this.ejectedUntil > now;
  }

  /**
   * Counts a failure; returns the ejection length in ms when this failure ejects the backend.
   * The caller may refuse the ejection (the last available backend) by not calling eject().
   */
  recordFailure(reason: string, now: number): number | undefined {
    const windowStart = now - this.options.failWindowMs;
    while (this.failures.length > 0 && this.failures[0]! <= windowStart) this.failures.shift();
    this.failures.push(now);
    if (this.failures.length > this.options.maxFails) this.failures.shift();
    this.reason = `${reason} ${this.failures.length} time${this.failures.length === 1 ? '' : 's'} in ${this.options.failWindowMs / 1000} s`;
    if (this.failures.length < this.options.maxFails || this.isEjected(now)) return undefined;
    // Backoff resets once the backend has stayed in for longer than the longest ejection.
    if (this.lastEjectionEnd > 0 && now - this.lastEjectionEnd > this.options.maxEjectTimeMs) this.ejections = 0;
    return Math.min(this.options.ejectTimeMs * 2 ** this.ejections, this.options.maxEjectTimeMs);
  }

  eject(durationMs: number, now: number): void {
    this.ejected = true;
    this.ejections += 1;
    this.ejectedUntil = now + durationMs;
    this.reason = `${this.reason}: ejected for ${durationMs / 1000} s`;
    this.lastEjectionEnd = this.ejectedUntil;
    this.failures.length = 0;
  }

  /** Takes an ejection decided elsewhere (a multi-process gateway's primary); 0 means not ejected. */
  adopt(ejectedUntil: number, reason: string): void {
    this.ejected = ejectedUntil > 0;
    this.ejectedUntil = ejectedUntil;
    this.reason = reason;
  }

  /** Ends the ejection (its time is up). */
  readmit(): void {
    this.ejected = false;
    this.ejectedUntil = 0;
  }
}
