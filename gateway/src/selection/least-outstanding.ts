// Least-outstanding (power of two choices): draw two distinct members at random, send to the less loaded one.
// Two draws cost O(1) where a scan for the least loaded costs O(n), and they keep a member that just came back
// with 0 in flight from taking every new request at once. O(1) per pick: two draws, one comparison (a coin on a tie).
import type { Candidate, Selector } from './selector.js';

export interface LeastOutstandingOptions<T extends Candidate> {
  /** A number in [0, 1); Math.random by default, a seeded source in tests. */
  random?: () => number;
  /** A member's share now; the load balancer passes one that ramps up members in slow start. Default: its weight. */
  weightOf?: (member: T) => number;
}

export class LeastOutstanding<T extends Candidate> implements Selector<T> {
  private members: readonly T[] = [];
  private readonly random: () => number;
  private readonly weightOf: (member: T) => number;

  constructor(options: LeastOutstandingOptions<T> = {}) {
    this.random = options.random ?? Math.random;
    this.weightOf = options.weightOf ?? ((member) => member.weight);
  }

  update(members: readonly T[]): void {
    this.members = members;
  }

  /**
   * A draw that lands on a tried member walks on to the next untried one: at most |tried| + 1 steps, so a retry
   * stays O(1) in practice and is bounded by n when nearly everyone was tried (instead of drawing again and again).
   */
  pick(tried?: ReadonlySet<string>): T | undefined {
    const count = this.members.length;
    if (count === 0) return undefined;
    const firstIndex = this.draw(count);
    const first = this.untriedFrom(firstIndex, tried, undefined);
    if (first === undefined || count === 1) return first;
    // An offset of 1..count-1 from the first draw: the second draw never lands on the same slot.
    const second = this.untriedFrom((firstIndex + 1 + this.draw(count - 1)) % count, tried, first);
    if (second === undefined) return first;
    return this.lessLoaded(first, second);
  }

  private draw(below: number): number {
    return Math.floor(this.random() * below);
  }

  private untriedFrom(start: number, tried: ReadonlySet<string> | undefined, other: T | undefined): T | undefined {
    const members = this.members;
    for (let step = 0; step < members.length; step++) {
      const member = members[(start + step) % members.length]!;
      if (member !== other && !tried?.has(member.id)) return member;
    }
    return undefined;
  }

  /**
   * Load is inFlight / weight, compared by cross-multiplying. A tie (an idle pool above all: 0 against 0) is settled
   * by a coin weighted by share, so idle members of weights 1:2 still split about 1:2 rather than evenly.
   */
  private lessLoaded(first: T, second: T): T {
    const firstWeight = this.weightOf(first);
    const secondWeight = this.weightOf(second);
    const firstLoad = (first.inFlight ?? 0) * secondWeight;
    const secondLoad = (second.inFlight ?? 0) * firstWeight;
    if (firstLoad !== secondLoad) return secondLoad < firstLoad ? second : first;
    return this.random() * (firstWeight + secondWeight) < firstWeight ? first : second;
  }
}
