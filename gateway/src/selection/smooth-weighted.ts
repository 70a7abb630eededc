// Smooth weighted round-robin (the nginx algorithm): weights 5,1,1 give a a b a c a a, never five in a row.
// O(n) per pick, so the load balancer uses it only when weights differ.
import type { Candidate, Selector } from './selector.js';

export class SmoothWeighted<T extends Candidate> implements Selector<T> {
  private members: readonly T[] = [];
  private current = new Map<string, number>();

  /** weightOf: a member's share now; the load balancer passes one that ramps up members in slow start. */
  constructor(private readonly weightOf: (member: T) => number = (member) => member.weight) {}

  update(members: readonly T[]): void {
    const current = new Map<string, number>();
    for (const member of members) current.set(member.id, this.current.get(member.id) ?? 0);
    this.members = members;
    this.current = current;
  }

  pick(tried?: ReadonlySet<string>): T | undefined {
    let best: T | undefined;
    let bestScore = -Infinity;
    let total = 0;
    for (const member of this.members) {
      if (tried?.has(member.id)) continue;
      const weight = this.weightOf(member);
      const score = this.current.get(member.id)! + weight;
      this.current.set(member.id, score);
      total += weight;
      if (score > bestScore) {
        best = member;
        bestScore = score;
      }
    }
    if (best) this.current.set(best.id, bestScore - total);
    return best;
  }
}
