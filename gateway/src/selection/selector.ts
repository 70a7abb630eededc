// The contract every selection policy keeps: turn the available set into the next candidate.
// A selector knows nothing about health; the load balancer hands it only members that may take traffic.

/** What a policy needs to know of a member: who it is, its share, and (for least-outstanding) its load now. */
export interface Candidate {
  readonly id: string;
  readonly weight: number;
  /** Requests sent to it and not yet answered; read at pick time. A policy that needs it counts a missing one as 0. */
  readonly inFlight?: number;
}

export interface Selector<T extends Candidate> {
  /** Replaces the candidate set; called only when membership or availability changes, never per request. */
  update(members: readonly T[]): void;
  /**
   * The next candidate, skipping the ids in `tried` (earlier tries of the same request).
   * `key` is the request's affinity key (header, cookie, path or client IP) for policies that hash; others ignore it.
   * Undefined when every member was tried or the set is empty.
   */
  pick(tried?: ReadonlySet<string>, key?: string): T | undefined;
}
