// The members of a smooth weighted pool that share one weight, as smooth-weighted.ts keeps them: every pick adds
// the same weight to all of them, so that is one shared offset, and their order (largest current value first,
// list position on a tie) only changes for the member picked, which one heap keeps in O(log m).
import { IndexedHeap, type HeapEntry } from '../indexed-heap.js';

export interface ClassMember<T> extends HeapEntry {
  readonly member: T;
  /** Index in the selector's member list: nginx breaks ties by it, the earlier member winning. */
  readonly position: number;
  /** current (nginx's current_weight) minus the class's offset. */
  base: number;
}

export class WeightClass<E extends ClassMember<unknown>> {
  /** Added to every member's base to give its current value. */
  offset = 0;
  private readonly heap = new IndexedHeap<E>(ahead);

  constructor(readonly weight: number) {}

  add(entry: E): void {
    this.heap.push(entry);
  }

  /** The member nginx would pick among this class: the largest current value, the earliest position on a tie. */
  get top(): E {
    return this.heap.top!;
  }

  /** The entry's base went down (picked, or left out of a step): it moves behind those now ahead of it. */
  lowered(entry: E): void {
    this.heap.update(entry);
  }
}

/** Whether a comes before b within one class (same offset, so bases compare as current values). */
function ahead(a: ClassMember<unknown>, b: ClassMember<unknown>): boolean {
  return a.base > b.base || (a.base === b.base && a.position < b.position);
}
