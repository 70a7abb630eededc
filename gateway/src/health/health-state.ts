// One backend's health from its probes: consecutive counters turned into up/down by rise and fall thresholds.
// Pure state, no timers and no I/O, so the flip rules can be tested as a table.

export type HealthStatus = 'unknown' | 'up' | 'down';

export interface HealthFlip {
  from: HealthStatus;
  to: HealthStatus;
  reason: string;
}

export interface HealthThresholds {
  /** Consecutive good probes that bring a down backend back. */
  rise: number;
  /** Consecutive failed probes that take an up backend out. */
  fall: number;
}

export class HealthState {
  status: HealthStatus;
  /** Why the backend is in its status: the last probe's verdict, e.g. "refused" or "status 500". */
  reason: string;
  /** When status last changed (epoch ms). */
  since = Date.now();
  lastProbeAt: number | undefined;
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly thresholds: HealthThresholds,
    initial: 'unknown' | 'up' = 'unknown',
  ) {
    this.status = initial;
    this.reason = initial === 'up' ? 'configured up until the first probe' : 'not probed yet';
  }

  /**
   * A new backend needs one good probe to take traffic and one bad one to be called down;
   * after that, rise and fall consecutive results are needed to flip.
   */
  recordSuccess(reason = 'probe ok'): HealthFlip | undefined {
    this.lastProbeAt = Date.now();
    this.failures = 0;
    this.successes += 1;
    if (this.status === 'up') return undefined;
    if (this.status === 'down' && this.successes < this.thresholds.rise) return undefined;
    return this.flip('up', reason);
  }

  recordFailure(reason: string): HealthFlip | undefined {
    this.lastProbeAt = Date.now();
    this.successes = 0;
    this.failures += 1;
    if (this.status === 'down') {
      this.reason = reason;
      return undefined;
    }
    if (this.status === 'up' && this.failures < this.thresholds.fall) return undefined;
    return this.flip('down', reason);
  }

  /** Takes a verdict reached elsewhere (a multi-process gateway's primary probes; its workers adopt the result). */
  adopt(status: HealthStatus, reason: string): void {
    if (status !== this.status) this.since = Date.now();
    this.status = status;
    this.reason = reason;
  }

  private flip(to: HealthStatus, reason: string): HealthFlip {
    const from = this.status;
    this.status = to;
    this.reason = reason;
    this.since = Date.now();
    return { from, to, reason };
  }
}
