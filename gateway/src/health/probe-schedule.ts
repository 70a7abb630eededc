// One timer for every backend's probe: an indexed min-heap of due times, so 1,000 backends cost one armed
// timer and O(log n) per (re)schedule instead of 1,000 timers plus an AbortSignal timer per probe.
// An entry's due time means whatever its owner says (the next probe, or an in-flight probe's deadline).

/** Entries due within this many ms of the earliest are run in the same wake-up (fewer timer firings). */
const BATCH_MS = 4;

export interface ScheduleEntry {
  /** Epoch ms at which the entry runs. */
  due: number;
  /** Position in the heap, -1 when not scheduled; owned by the schedule. */
  slot: number;
}

export class ProbeSchedule<T extends ScheduleEntry> {
  private readonly heap: T[] = [];
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
    if (entry.slot === -1) {
      entry.slot = this.heap.length;
      this.heap.push(entry);
      this.up(entry.slot);
    } else {
      this.down(this.up(entry.slot));
    }
    if (due < this.armedFor) this.arm();
  }

  cancel(entry: T): void {
    const slot = entry.slot;
    if (slot === -1) return;
    const last = this.heap.pop()!;
    entry.slot = -1;
    if (last === entry) return;
    this.heap[slot] = last;
    last.slot = slot;
    this.down(this.up(slot));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const entry of this.heap) entry.slot = -1;
    this.heap.length = 0;
  }

  private arm(): void {
    clearTimeout(this.timer);
    const first = this.heap[0];
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
    while (this.heap.length > 0 && this.heap[0]!.due <= until && !this.closed) {
      const entry = this.heap[0]!;
      this.cancel(entry);
      this.run(entry, now - entry.due);
    }
    this.arm();
  }

  private up(slot: number): number {
    const heap = this.heap;
    const entry = heap[slot]!;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = heap[parentSlot]!;
      if (parent.due <= entry.due) break;
      heap[slot] = parent;
      parent.slot = slot;
      slot = parentSlot;
    }
    heap[slot] = entry;
    entry.slot = slot;
    return slot;
  }

  private down(slot: number): void {
    const heap = this.heap;
    const entry = heap[slot]!;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && heap[child + 1]!.due < heap[child]!.due) child += 1;
      if (heap[child]!.due >= entry.due) break;
      heap[slot] = heap[child]!;
      heap[slot]!.slot = slot;
      slot = child;
    }
    heap[slot] = entry;
    entry.slot = slot;
  }
}
