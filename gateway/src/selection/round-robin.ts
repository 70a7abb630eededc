// Round-robin: each available member in turn. O(1) per pick; a member leaving does not make its
// neighbour take a double share, because the cursor walks the available set only.
import type { Candidate, Selector } from './selector.js';

export class RoundRobin<T extends Candidate> implements Selector<T> {
  private members: readonly T[] = [];
  private cursor = 0;

  update(members: readonly T[]): void {
    this.members = members;
  }

  pick(tried?: ReadonlySet<string>): T | undefined {
    const members = this.members;
    const count = members.length;
    for (let step = 0; step < count; step++) {
      const candidate = members[this.cursor % count]!;
      this.cursor = (this.cursor + 1) % count;
      if (tried === undefined || !tried.has(candidate.id)) return candidate;
    }
    return undefined;
  }
}
