// A weighted split of a route between pools (canary 95/5, blue-green 100/0 → 0/100). Without stickiness each
// request draws a side by weight; with it, the cookie or header value hashes to a side, so one user stays on one
// side for as long as the weights stay. The weights are swapped whole at runtime (PUT /routes/:name/split).
import type { IncomingMessage } from 'node:http';
import { hashKey } from '../selection/consistent-hash.js';
import { requestKey, type RequestKey } from './request-key.js';

export interface SplitSide<T> {
  pool: string;
  weight: number;
  target: T;
}

export type Sticky = { cookie: string } | { header: string };

export class WeightedSplit<T> {
  private sides: readonly SplitSide<T>[];
  private total: number;
  private readonly stickyKey: RequestKey | undefined;

  constructor(
    sides: readonly SplitSide<T>[],
    sticky: Sticky | undefined,
    private readonly random: () => number = Math.random,
  ) {
    this.sides = sides;
    this.stickyKey = sticky === undefined ? undefined : requestKey('cookie' in sticky ? `cookie:${sticky.cookie}` : `header:${sticky.header}`);
    this.total = sum(sides);
  }

  /** The sides and their weights now, for GET /routes and the audit record of a switch. */
  get weights(): { pool: string; weight: number }[] {
    return this.sides.map(({ pool, weight }) => ({ pool, weight }));
  }

  /** Replaces every weight at once: a request sees the old split or the new one, never a mix. */
  setWeights(weights: ReadonlyMap<string, number>): void {
    const sides = this.sides.map((side) => ({ ...side, weight: weights.get(side.pool) ?? side.weight }));
    this.sides = sides;
    this.total = sum(sides);
  }

  choose(req: IncomingMessage): T {
    const key = this.stickyKey?.(req);
    // The same user lands on the same point every time; 2^32 turns the hash into a fraction of the total.
    const point = (key === undefined ? this.random() : hashKey(key) / 0x1_0000_0000) * this.total;
    let passed = 0;
    for (const side of this.sides) {
      passed += side.weight;
      if (point < passed) return side.target;
    }
    // Only a rounding edge reaches here: the last side with any weight takes it.
    for (let i = this.sides.length - 1; i > 0; i--) if (this.sides[i]!.weight > 0) return this.sides[i]!.target;
    return this.sides[0]!.target;
  }
}

function sum(sides: readonly { weight: number }[]): number {
  return sides.reduce((total, side) => total + side.weight, 0);
}
