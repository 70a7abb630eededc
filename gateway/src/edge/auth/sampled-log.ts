// Log lines for events that can come in floods (refused requests): at most one per interval per key, carrying
// how many were left out since the last one, so an attack cannot fill the log or cost a write per request.
import type { Logger } from '../../observability/logger.js';

export class SampledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  /** fields() is called only for a line that is written. */
  write(level: 'warn' | 'error', key: string, fields: () => Record<string, unknown>, message: string): void {
    const now = performance.now();
    const last = this.last.get(key);
    if (last !== undefined && now - last.at < this.intervalMs) {
      last.suppressed += 1;
      return;
    }
    this.log[level]({ ...fields(), suppressed: last?.suppressed ?? 0 }, message);
    if (last === undefined) this.last.set(key, { at: now, suppressed: 0 });
    else {
      last.at = now;
      last.suppressed = 0;
    }
  }
}
