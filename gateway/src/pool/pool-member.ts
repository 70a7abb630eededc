// A backend as the load balancer holds it: identity, health, the operator's drain flag and traffic counters.
import type { Backend } from './backend.js';
import { HealthState, type HealthThresholds } from '../health/health-state.js';
import { PassiveHealth, type PassiveHealthOptions } from '../health/passive-health.js';
import type { Candidate } from '../selection/selector.js';
import { WaitingTries } from './waiting-tries.js';

/** What /pool shows: the operator's drain first, then a passive ejection, then active health. */
export type MemberState = 'unknown' | 'up' | 'down' | 'ejected' | 'draining';

/** What every view of the pool (GET /pool, the dashboard) says about a member in the same words. */
export interface MemberFacts {
  id: string;
  pool: string;
  url: string;
  source: string;
  state: string;
  why: string;
  weight: number;
  backup: boolean;
  inFlight: number;
  served: number;
}

/** A member starting its slow start still gets this share of its weight, so it is probed by real traffic. */
const MIN_RAMP_SHARE = 0.05;

export class PoolMember implements Candidate {
  readonly id: string;
  weight: number;
  readonly health: HealthState;
  /** Operator flag, kept apart from health: a draining backend takes no new requests but finishes its own. */
  draining = false;
  /** Undefined when passive health is switched off. */
  readonly passive: PassiveHealth | undefined;
  /** The load balancer's last state change of this member (drain, ejection…), for what health does not explain. */
  lastChange: { reason: string; at: number } | undefined;
  /** When slow start began after the member came back from down or ejected; undefined when not ramping. */
  rampStartedAt: number | undefined;
  /** Requests (and tunnels) sent to it and not yet finished: taken by the sender, given back with release(). */
  inFlight = 0;
  served = 0;
  /** Set by a load balancer that caps requests per backend: a slot given back wakes the pool's queue. */
  onRelease: (() => void) | undefined;
  /** Tries waiting for this backend's response headers. */
  readonly waiting = new WaitingTries();

  constructor(
    readonly backend: Backend,
    thresholds: HealthThresholds,
    initialState: 'unknown' | 'up',
    passive: PassiveHealthOptions | undefined,
  ) {
    this.id = backend.id;
    this.weight = backend.weight;
    this.health = new HealthState(thresholds, initialState);
    this.passive = passive ? new PassiveHealth(passive) : undefined;
  }

  /** A passive ejection is in force (the flag lives in PassiveHealth, set and cleared by the load balancer). */
  get ejected(): boolean {
    return this.passive?.ejected ?? false;
  }

  get available(): boolean {
    return this.health.status === 'up' && !this.draining && !this.ejected;
  }

  get state(): MemberState {
    if (this.draining) return 'draining';
    return this.ejected ? 'ejected' : this.health.status;
  }

  /** Its share now: during slow start the weight grows linearly from 5 % to all of it over rampMs. */
  effectiveWeight(now: number, rampMs: number): number {
    if (this.rampStartedAt === undefined) return this.weight;
    return this.weight * Math.min(1, Math.max(MIN_RAMP_SHARE, (now - this.rampStartedAt) / rampMs));
  }

  /** Health states explain themselves (the last probe's verdict); drain and ejection by the change that made them. */
  private get explainedByHealth(): boolean {
    return this.state === this.health.status || this.lastChange === undefined;
  }

  /** Why the member is in its state, in words for /pool, the dashboard and logs. */
  get why(): string {
    return this.explainedByHealth ? this.health.reason : this.lastChange!.reason;
  }

  /** When it entered its state (epoch ms). */
  get since(): number {
    return this.explainedByHealth ? this.health.since : this.lastChange!.at;
  }

  facts(): MemberFacts {
    const { id, backend, state, why, weight, inFlight, served } = this;
    return { id, pool: backend.pool, url: backend.origin, source: backend.source, state, why, weight, backup: backend.backup, inFlight, served };
  }

  /** A request or tunnel to this backend finished. */
  release(): void {
    this.inFlight -= 1;
    this.onRelease?.();
  }

  /** Moves every try still waiting for this backend's answer elsewhere, where the retry policy allows it. */
  rescueWaiting(reason: string): void {
    for (const waiting of this.waiting.toArray()) waiting.rescue(reason);
  }
}
