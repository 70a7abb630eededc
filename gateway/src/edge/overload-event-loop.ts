// Event-loop delay for gateway-wide shedding, sampled cheaply: Node's monitorEventLoopDelay histogram (a libuv
// timer, no work per request) is read and reset every SAMPLE_MS. The delay of a window is its mean less the
// sampling resolution, as Fastify's under-pressure computes it. Per request only the `over` field is read.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
/** Short enough to start shedding within a fraction of a second, long enough to hold a few dozen samples. */
const SAMPLE_MS = 250;

export class OverloadEventLoop {
  /** The last window's delay was above the threshold: new requests are shed until a window is below it. */
  over = false;
  /** The last window's delay in milliseconds. */
  delayMs = 0;
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly maxDelayMs: number,
    /** Told when `over` flips, with the delay that flipped it (the log line). */
    private readonly onFlip: (over: boolean, delayMs: number) => void,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(this.sample, SAMPLE_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private readonly sample = (): void => {
    const mean = this.histogram.mean; // NaN before the first sample
    this.delayMs = Number.isNaN(mean) ? 0 : Math.max(0, mean / 1e6 - RESOLUTION_MS);
    this.histogram.reset();
    const over = this.delayMs > this.maxDelayMs;
    if (over === this.over) return;
    this.over = over;
    this.onFlip(over, this.delayMs);
  };
}
