// A weighted split of a route between pools (canary 95/5, blue-green 100/0 → 0/100). Without stickiness each
// request draws a side by weight; with it, the cookie or header value hashes to a side, so one user stays on one
// side for as long as the weights stay. The weights are swapped whole at runtime (PUT /routes/:name/split).
// A side whose pool has no available backend gives its share to the others, so a canary that is down costs its
// users nothing (the split is drawn again over the sides that can answer).
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
  /** Method syntax on purpose: a split of any target type can then be read where the type does not matter (admin). */
  private readonly availability: { check(target: T): boolean };

  constructor(
    sides: readonly SplitSide<T>[],
    sticky: Sticky | undefined,
    available: (target: T) => boolean = () => true,
    private readonly random: () => number = Math.random,
  ) {
    this.availability = { check: available };
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
    const fraction = key === undefined ? this.random() : hashKey(key) / 0x1_0000_0000;
    const chosen = pickSide(this.sides, this.total, fraction);
    if (this.availability.check(chosen.target)) return chosen.target;
    const open = this.sides.filter((side) => side.weight > 0 && this.availability.check(side.target));
    return open.length === 0 ? chosen.target : pickSide(open, sum(open), fraction).target;
  }
}

/** The side a point in [0, 1) of the total weight falls on. */
function pickSide<T>(sides: readonly SplitSide<T>[], total: number, fraction: number): SplitSide<T> {
  const point = fraction * total;
  let passed = 0;
  for (const side of sides) {
    passed += side.weight;
    if (point < passed) return side;
  }
  // Only a rounding edge reaches here: the last side with any weight takes it.
  for (let i = sides.length - 1; i > 0; i--) if (sides[i]!.weight > 0) return sides[i]!;
  return sides[0]!;
}

function sum(sides: readonly { weight: number }[]): number {
  return sides.reduce((total, side) => total + side.weight, 0);
}
