// A binary heap whose entries know their own slot, so one entry can be moved or taken out in O(log n) without a
// search: the probe schedule keeps its backends by due time in one, smooth weighted its members by current value.

export interface HeapEntry {
  /** Position in the heap, -1 when not in it; owned by the heap. */
  slot: number;
}

export class IndexedHeap<E extends HeapEntry> {
  private readonly entries: E[] = [];

  /** before(a, b): whether a belongs nearer the top than b. */
  constructor(private readonly before: (a: E, b: E) => boolean) {}

  get size(): number {
    return this.entries.length;
  }

  /** The entry at the top, or undefined when the heap is empty. */
  get top(): E | undefined {
    return this.entries[0];
  }

  push(entry: E): void {
    entry.slot = this.entries.length;
    this.entries.push(entry);
    this.up(entry.slot);
  }

  /** The entry's key changed (either way): it moves to its new place. */
  update(entry: E): void {
    this.down(this.up(entry.slot));
  }

  remove(entry: E): void {
    const slot = entry.slot;
    if (slot === -1) return;
    const last = this.entries.pop()!;
    entry.slot = -1;
    if (last === entry) return;
    this.entries[slot] = last;
    last.slot = slot;
    this.update(last);
  }

  /** Empties the heap, every entry marked as out of it. */
  clear(): void {
    for (const entry of this.entries) entry.slot = -1;
    this.entries.length = 0;
  }

  private up(slot: number): number {
    const entries = this.entries;
    const entry = entries[slot]!;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = entries[parentSlot]!;
      if (!this.before(entry, parent)) break;
      entries[slot] = parent;
      parent.slot = slot;
      slot = parentSlot;
    }
    entries[slot] = entry;
    entry.slot = slot;
    return slot;
  }

  private down(slot: number): void {
    const entries = this.entries;
    const entry = entries[slot]!;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= entries.length) break;
      if (child + 1 < entries.length && this.before(entries[child + 1]!, entries[child]!)) child += 1;
      if (!this.before(entries[child]!, entry)) break;
      entries[slot] = entries[child]!;
      entries[slot]!.slot = slot;
      slot = child;
    }
    entries[slot] = entry;
    entry.slot = slot;
  }
}
