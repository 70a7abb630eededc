// Consistent hashing on a ring with virtual nodes: a request key (header, cookie, path or client IP) maps to a member,
// and when a member leaves only the keys it held move.
//
// Why a ring and not a Maglev table: on a ring a leaving member's points simply vanish, so its keys go to the next
// points and no other key moves; Maglev refills its table and moves a few keys between members that stayed, which
// breaks sessions that had no reason to move. A retry is also natural on a ring: walk on to the next member not yet
// tried, the same one each time for the same key. The price is an O(log p) lookup (binary search over p points, about
// 160 per member) where Maglev is O(1): some 10 comparisons for a pool of 5, which is nothing beside a proxied request.
import { RoundRobin } from './round-robin.js';
import type { Candidate, Selector } from './selector.js';

/** Ring points per unit of weight: ketama's 160 keeps equal members within a few per cent of equal shares. */
const POINTS_PER_WEIGHT = 160;
/**
 * Bounds the ring (and the work of update) when weights are large. Below it, a member's points depend on its own
 * weight alone, which is what keeps other members' keys still when one leaves; above it every member gets fewer
 * points per weight, so a change of membership also moves a few keys between members that stayed.
 */
const MAX_RING_POINTS = 65_536;

/** A member's rank goes in the low bits of a packed point: 2^21 members at most, so 32 + 21 bits stay exact in a double. */
const OWNER_SLOTS = 2 ** 21;

/**
 * FNV-1a (32-bit) over UTF-16 code units, then murmur3's finaliser: fast, not cryptographic. FNV-1a alone leaves
 * strings that differ only in their last character (backend-1, backend-2) close together on the ring.
 */
export function hashKey(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return finalMix(hash);
}

/** murmur3's fmix32: a bijection on 32 bits in which every input bit flips about half the output bits. */
function finalMix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The i-th point of a member: its id hashed once, then mixed with i, so no string is built per point. */
function pointPosition(idHash: number, index: number): number {
  return finalMix(idHash ^ Math.imul(index, 0x9e3779b9));
}

/**
 * pick(tried, key): O(log p) binary search, then a walk past points of tried members (short: a member's points are
 * scattered). Without a key (undefined or empty: the header, cookie or address is missing) it falls back to
 * round-robin, O(1), so keyless requests spread out instead of all landing on the point of the empty string.
 * Weights are read in update() only: slow start does not apply here, since every step of a ramp would move keys.
 */
export class ConsistentHash<T extends Candidate> implements Selector<T> {
  /** Sorted point positions; owners[i] is the member at positions[i]. */
  private positions = new Uint32Array(0);
  private owners: T[] = [];
  private readonly withoutKey = new RoundRobin<T>();

  /**
   * Builds the ring from ids and weights only, so the same members in any order give the same ring. Each point is
   * packed as position * OWNER_SLOTS + the owner's rank by id into one double, so one native numeric sort orders the
   * ring, and two members' points that collide are ordered by id: some 10 ms for the largest (65,536-point) ring.
   */
  update(members: readonly T[]): void {
    this.withoutKey.update(members);
    const byId = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const totalWeight = members.reduce((sum, member) => sum + member.weight, 0);
    const pointsPerWeight = Math.min(POINTS_PER_WEIGHT, MAX_RING_POINTS / totalWeight);
    const pointCounts = byId.map((member) => Math.max(1, Math.round(pointsPerWeight * member.weight)));
    const packed = new Float64Array(pointCounts.reduce((sum, count) => sum + count, 0));
    let next = 0;
    byId.forEach((member, rank) => {
      const idHash = hashKey(member.id);
      for (let i = 0; i < pointCounts[rank]!; i++) packed[next++] = pointPosition(idHash, i) * OWNER_SLOTS + rank;
    });
    packed.sort();
    const positions = new Uint32Array(packed.length);
    const owners = new Array<T>(packed.length);
    for (let i = 0; i < packed.length; i++) {
      positions[i] = Math.floor(packed[i]! / OWNER_SLOTS);
      owners[i] = byId[packed[i]! % OWNER_SLOTS]!;
    }
    this.positions = positions;
    this.owners = owners;
  }

  /** The member owning the key's point, or the next one clockwise not in `tried`; walks the whole ring at worst. */
  pick(tried?: ReadonlySet<string>, key?: string): T | undefined {
    if (key === undefined || key === '') return this.withoutKey.pick(tried);
    const count = this.owners.length;
    const start = this.firstPointAtOrAfter(hashKey(key));
    for (let step = 0; step < count; step++) {
      const owner = this.owners[(start + step) % count]!;
      if (!tried?.has(owner.id)) return owner;
    }
    return undefined;
  }

  /** Index of the first point at or after `position`, wrapping past the last point to the first. */
  private firstPointAtOrAfter(position: number): number {
    let low = 0;
    let high = this.positions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.positions[middle]! < position) low = middle + 1;
      else high = middle;
    }
    return low === this.positions.length ? 0 : low;
  }
}
