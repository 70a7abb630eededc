// The contract every selection policy keeps: turn the available set into the next candidate.
// A selector knows nothing about health; the load balancer hands it only members that may take traffic.

/** What a policy needs to know of a member: who it is and its share. */
export interface Candidate {
  readonly id: string;
  readonly weight: number;
}

export interface Selector<T extends Candidate> {
  /** Replaces the candidate set; called only when membership or availability changes, never per request. */
  update(members: readonly T[]): void;
  /**
   * The next candidate, skipping the ids in `tried` (earlier tries of the same request).
   * Undefined when every member was tried or the set is empty.
   */
  pick(tried?: ReadonlySet<string>): T | undefined;
}
