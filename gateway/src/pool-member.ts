// A backend as the load balancer holds it: identity, health, the operator's drain flag and traffic counters.
import type { Backend } from './backend.js';
import { HealthState, type HealthThresholds } from './health/health-state.js';
import type { Candidate } from './selection/selector.js';

/** What /pool shows: health, unless an operator drained the backend. */
export type MemberState = 'unknown' | 'up' | 'down' | 'draining';

export class PoolMember implements Candidate {
  readonly id: string;
  weight: number;
  readonly health: HealthState;
  /** Operator flag, kept apart from health: a draining backend takes no new requests but finishes its own. */
  draining = false;
  inFlight = 0;
  served = 0;

  constructor(
    readonly backend: Backend,
    thresholds: HealthThresholds,
    initialState: 'unknown' | 'up',
  ) {
    this.id = backend.id;
    this.weight = backend.weight;
    this.health = new HealthState(thresholds, initialState);
  }

  get available(): boolean {
    return this.health.status === 'up' && !this.draining;
  }

  get state(): MemberState {
    return this.draining ? 'draining' : this.health.status;
  }
}
