// One timer for every backend's probe: an indexed min-heap of due times, so 1,000 backends cost one armed
// timer and O(log n) per (re)schedule instead of 1,000 timers plus an AbortSignal timer per probe.
// An entry's due time means whatever its owner says (the next probe, or an in-flight probe's deadline).
import { IndexedHeap, type HeapEntry } from '../indexed-heap.js';

/** Entries due within this many ms of the earliest are run in the same wake-up (fewer timer firings). */
const BATCH_MS = 4;

export interface ScheduleEntry extends HeapEntry {
  /** Epoch ms at which the entry runs. */
  due: number;
}

export class ProbeSchedule<T extends ScheduleEntry> {
  private readonly heap = new IndexedHeap<T>((a, b) => a.due < b.due);
  private timer: NodeJS.Timeout | undefined;
  /** The due time the timer is armed for (Infinity when not armed). */
  private armedFor = Infinity;
  private closed = false;

  /**
   * run(entry, lateMs) is called once the entry is due; the entry is out of the schedule by then. lateMs says how
   * long after its due time it ran: a large value means the process itself was busy (or starved of CPU).
   */
  constructor(private readonly run: (entry: T, lateMs: number) => void) {}

  /** Schedules the entry at `due`, moving it if it was already scheduled. */
  at(entry: T, due: number): void {
    if (this.closed) return;
    entry.due = due;
    if (entry.slot === -1) this.heap.push(entry);
    else this.heap.update(entry);
    if (due < this.armedFor) this.arm();
  }

  cancel(entry: T): void {
    this.heap.remove(entry);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.heap.clear();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const first = this.heap.top;
    if (first === undefined || this.closed) {
      this.armedFor = Infinity;
      return;
    }
    this.armedFor = first.due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.due - Date.now()));
    // Probing never keeps the process alive on its own.
    this.timer.unref();
  }

  private fire(): void {
    // -Infinity: at() does not re-arm while due entries run; the timer is armed once, after them.
    this.armedFor = -Infinity;
    const now = Date.now();
    const until = now + BATCH_MS;
    // run() may schedule the same entry again (later) or others: each is taken out before it runs.
    for (let entry = this.heap.top; entry !== undefined && entry.due <= until && !this.closed; entry = this.heap.top) {
      this.cancel(entry);
      this.run(entry, now - entry.due);
    }
    this.arm();
  }
}
