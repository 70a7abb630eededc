// Smooth weighted round-robin (the nginx algorithm): weights 5,1,1 give a a b a c a a, never five in a row.
// nginx adds every member's weight to its current value on each pick, takes the largest (the earliest member on a
// tie) and takes the total weight off it: O(n) per pick. Here the members that share a weight form one class
// (weight-class.ts) whose adding is one shared offset and whose order is one heap, so a first try costs
// O(classes + log n) and gives exactly nginx's sequence. A pool has few distinct weights; members in slow start
// (weightOf below their weight, changing as they ramp) are each read on every pick, as nginx would.
// A retry (pick with tried members) still walks every member: it is rare, and tried members skip the step.
import type { Candidate, Selector } from './selector.js';
import { WeightClass, type ClassMember } from './weight-class.js';

interface Entry<T> extends ClassMember<T> {
  /** Its class, or undefined while it ramps (its base is then its whole current value). */
  readonly weightClass: WeightClass<Entry<T>> | undefined;
}

export class SmoothWeighted<T extends Candidate> implements Selector<T> {
  /** Every member in list order (the order nginx breaks ties by). */
  private entries: Entry<T>[] = [];
  private byId = new Map<string, Entry<T>>();
  private classes: WeightClass<Entry<T>>[] = [];
  private ramping: Entry<T>[] = [];
  /** Sum of the classes' weights: the total of every member not ramping. */
  private classTotal = 0;

  /** weightOf: a member's share now; the load balancer passes one that ramps up members in slow start. */
  constructor(private readonly weightOf: (member: T) => number = (member) => member.weight) {}

  /** Regroups the members by weight; a member that stays keeps its current value, a new one starts at 0. */
  update(members: readonly T[]): void {
    const classes = new Map<number, WeightClass<Entry<T>>>();
    const entries: Entry<T>[] = [];
    const byId = new Map<string, Entry<T>>();
    const ramping: Entry<T>[] = [];
    let classTotal = 0;
    members.forEach((member, position) => {
      const before = this.byId.get(member.id);
      const current = before === undefined ? 0 : currentOf(before);
      const weight = this.weightOf(member);
      let weightClass: WeightClass<Entry<T>> | undefined;
      if (weight === member.weight) {
        weightClass = classes.get(weight);
        if (weightClass === undefined) classes.set(weight, (weightClass = new WeightClass<Entry<T>>(weight)));
        classTotal += weight;
      }
      const entry: Entry<T> = { member, position, base: current, slot: -1, weightClass };
      if (weightClass === undefined) ramping.push(entry);
      else weightClass.add(entry);
      entries.push(entry);
      byId.set(member.id, entry);
    });
    this.entries = entries;
    this.byId = byId;
    this.classes = [...classes.values()];
    this.ramping = ramping;
    this.classTotal = classTotal;
  }

  pick(tried?: ReadonlySet<string>): T | undefined {
    if (tried !== undefined && tried.size > 0) return this.pickUntried(tried);
    if (this.entries.length === 0) return undefined;
    let total = this.classTotal;
    let best: Entry<T> | undefined;
    let bestScore = -Infinity;
    for (const weightClass of this.classes) {
      weightClass.offset += weightClass.weight;
      const top = weightClass.top;
      const score = top.base + weightClass.offset;
      if (score > bestScore || (score === bestScore && top.position < best!.position)) {
        best = top;
        bestScore = score;
      }
    }
    for (const entry of this.ramping) {
      const weight = this.weightOf(entry.member);
      entry.base += weight;
      total += weight;
      if (entry.base > bestScore || (entry.base === bestScore && entry.position < best!.position)) {
        best = entry;
        bestScore = entry.base;
      }
    }
    return this.take(best!, total);
  }

  /** nginx's own walk over every member: tried ones neither gain their weight nor count in the total. */
  private pickUntried(tried: ReadonlySet<string>): T | undefined {
    for (const weightClass of this.classes) weightClass.offset += weightClass.weight;
    // A tried member in a class got the shared offset too: take its weight back off.
    for (const id of tried) {
      const entry = this.byId.get(id);
      if (entry?.weightClass === undefined) continue;
      entry.base -= entry.weightClass.weight;
      entry.weightClass.lowered(entry);
    }
    let best: Entry<T> | undefined;
    let bestScore = -Infinity;
    let total = 0;
    for (const entry of this.entries) {
      if (tried.has(entry.member.id)) continue;
      let weight: number;
      if (entry.weightClass === undefined) {
        weight = this.weightOf(entry.member);
        entry.base += weight;
      } else {
        weight = entry.weightClass.weight;
      }
      total += weight;
      const score = currentOf(entry);
      if (score > bestScore) {
        best = entry;
        bestScore = score;
      }
    }
    return best === undefined ? undefined : this.take(best, total);
  }

  private take(entry: Entry<T>, total: number): T {
    entry.base -= total;
    entry.weightClass?.lowered(entry);
    return entry.member;
  }
}

function currentOf<T>(entry: Entry<T>): number {
  return entry.base + (entry.weightClass?.offset ?? 0);
}
