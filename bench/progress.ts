// The progress line on stderr while the bench runs: a bar over the whole planned time, the run in
// progress and the last result. Without a terminal it prints one line per finished run instead.
const BAR_WIDTH = 24;
const REDRAW_MS = 250;

export class Progress {
  private readonly tty: boolean;
  private doneSec = 0;
  private current: { label: string; durationSec: number; startedAt: number } | undefined;
  private last = '';
  private timer: NodeJS.Timeout | undefined;

  /** `totalSec`: every planned run's duration added up (warm-ups included). */
  constructor(
    private readonly totalSec: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
  }

  startRun(label: string, durationSec: number): void {
    this.current = { label, durationSec, startedAt: Date.now() };
    if (!this.tty) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
  }

  /** `result`: one short line about the finished run (req/s, p99, CPU). */
  endRun(result: string): void {
    clearInterval(this.timer);
    if (this.current) this.doneSec += this.current.durationSec;
    this.last = `${this.current?.label ?? ''}: ${result}`;
    this.current = undefined;
    if (this.tty) this.draw();
    else this.stream.write(`bench: ${this.last}\n`);
  }

  /** Clears the line so the table starts clean. */
  finish(): void {
    clearInterval(this.timer);
    if (this.tty) this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    const runningSec = this.current ? Math.min(this.current.durationSec, (Date.now() - this.current.startedAt) / 1000) : 0;
    const fraction = this.totalSec > 0 ? Math.min(1, (this.doneSec + runningSec) / this.totalSec) : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
    const now = this.current ? ` ${this.current.label} ${runningSec.toFixed(0)}/${this.current.durationSec} s` : '';
    const last = this.last ? ` | last ${this.last}` : '';
    // cut to the terminal width so the line never wraps (a wrapped line cannot be redrawn in place)
    const line = `${bar}${now}${last}`.slice(0, (this.stream.columns || 120) - 1);
    this.stream.write(`\r\x1b[2K${line}`);
  }
}
