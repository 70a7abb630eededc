// What a load balancer is told at construction (thresholds, policy, caps, the observers of its changes), what
// it reports (a PoolChange for every change of membership, state or weight) and the state a worker mirrors from
// the primary of a multi-process gateway.
import type { HealthStatus, HealthThresholds } from '../health/health-state.js';
import type { PassiveHealthOptions } from '../health/passive-health.js';
import type { Backend } from './backend.js';
import type { MemberState } from './pool-member.js';

export type BalancingPolicy = 'round-robin' | 'least-outstanding' | 'consistent-hash';

export interface PoolChange {
  backend: Backend;
  from: MemberState | 'absent';
  to: MemberState | 'absent';
  reason: string;
  /** Who caused it: an admin client's address, or health / passive / ttl / dns / etcd; undefined means the default for the kind of change. */
  actor?: string;
  /** Set on a weight change (the state stays the same). */
  weight?: { from: number; to: number };
}

export interface LoadBalancerOptions {
  thresholds: HealthThresholds;
  /** 'unknown' keeps a new backend out until its first good probe; 'up' admits it at once. */
  initialState: 'unknown' | 'up';
  /** A member back from down or ejected ramps its share up over this long; 0 switches slow start off. */
  slowStartMs?: number;
  /** Outlier detection from live traffic; undefined switches it off. */
  passive?: PassiveHealthOptions;
  /** How members are chosen; round-robin (smooth weighted when weights differ) when unset. */
  policy?: BalancingPolicy;
  /** At most maxPerBackend requests in flight per member, the rest wait in a queue; undefined: no cap. */
  concurrency?: { maxPerBackend: number; maxPending: number; queueTimeoutMs: number };
  /** Called on every state change: membership, health flip, ejection, drain. Never per request. */
  onChange?: (change: PoolChange) => void;
  /** Called when a passive ejection is refused because the backend is the last one available. */
  onEjectionRefused?: (backend: Backend, reason: string) => void;
  /**
   * Set in a traffic worker of a multi-process gateway: live-traffic failures go there (the primary decides
   * ejections once for every worker, and its verdict comes back through mirror()) instead of being counted here.
   */
  reportFailureTo?: (backend: Backend, reason: string) => void;
}

/** A member's state as another process decided it (a multi-process gateway's primary), for mirror(). */
export interface MirroredState {
  health: HealthStatus;
  healthReason: string;
  /** Epoch ms the passive ejection ends; 0 when not ejected. */
  ejectedUntil: number;
  ejectReason: string;
  draining: boolean;
  weight: number;
  /** The member's `why` in the deciding process: the reason its change carries here. */
  why: string;
}
