// The load balancer: pool members, their health and the selection policy joined behind pick().
// The candidate set is rebuilt only when membership or availability changes, so pick() is O(1) for round-robin.
import type { Backend } from './backend.js';
import type { ProbeResult } from './health/active-check.js';
import type { HealthThresholds } from './health/health-state.js';
import { PoolMember, type MemberState } from './pool-member.js';
import { RoundRobin } from './selection/round-robin.js';
import type { Selector } from './selection/selector.js';
import { SmoothWeighted } from './selection/smooth-weighted.js';

export interface PoolChange {
  backend: Backend;
  from: MemberState | 'absent';
  to: MemberState | 'absent';
  reason: string;
}

export interface LoadBalancerOptions {
  thresholds: HealthThresholds;
  /** 'unknown' keeps a new backend out until its first good probe; 'up' admits it at once. */
  initialState: 'unknown' | 'up';
  /** Called on every state change: membership, health flip, drain. Never per request. */
  onChange?: (change: PoolChange) => void;
}

export class LoadBalancer {
  private readonly members = new Map<string, PoolMember>();
  private selector: Selector<PoolMember> = new RoundRobin();
  private weighted = false;
  /** Members taking traffic now: primaries, or the backups when no primary is available. */
  private availableCount = 0;

  constructor(private readonly options: LoadBalancerOptions) {}

  /** The next member for a request, skipping those a retry already tried; undefined when none is available. */
  pick(tried?: ReadonlySet<string>): PoolMember | undefined {
    return this.selector.pick(tried);
  }

  get hasAvailable(): boolean {
    return this.availableCount > 0;
  }

  list(): PoolMember[] {
    return [...this.members.values()];
  }

  get(id: string): PoolMember | undefined {
    return this.members.get(id);
  }

  /** Adds a backend, or replaces one whose origin changed; an unchanged backend keeps its health. */
  add(backend: Backend): PoolMember {
    const existing = this.members.get(backend.id);
    if (existing && existing.backend.origin === backend.origin && existing.weight === backend.weight && existing.backend.backup === backend.backup) {
      return existing;
    }
    const member = new PoolMember(backend, this.options.thresholds, this.options.initialState);
    this.members.set(backend.id, member);
    this.rebuild();
    this.options.onChange?.({ backend, from: existing ? existing.state : 'absent', to: member.state, reason: existing ? 'replaced' : 'added' });
    return member;
  }

  remove(id: string, reason: string): void {
    const member = this.members.get(id);
    if (!member) return;
    this.members.delete(id);
    this.rebuild();
    this.options.onChange?.({ backend: member.backend, from: member.state, to: 'absent', reason });
  }

  /** Feeds an active probe into the member's health; a flip changes the candidate set at once. */
  recordProbe(id: string, result: ProbeResult): void {
    const member = this.members.get(id);
    if (!member) return;
    const before = member.state;
    const flip = result.ok ? member.health.recordSuccess() : member.health.recordFailure(result.reason);
    if (!flip) return;
    this.rebuild();
    this.options.onChange?.({ backend: member.backend, from: before, to: member.state, reason: flip.reason });
  }

  setDraining(id: string, draining: boolean, reason: string): PoolMember | undefined {
    const member = this.members.get(id);
    if (!member || member.draining === draining) return member;
    const before = member.state;
    member.draining = draining;
    this.rebuild();
    this.options.onChange?.({ backend: member.backend, from: before, to: member.state, reason });
    return member;
  }

  private rebuild(): void {
    const primaries: PoolMember[] = [];
    const backups: PoolMember[] = [];
    for (const member of this.members.values()) {
      if (member.available) (member.backend.backup ? backups : primaries).push(member);
    }
    const candidates = primaries.length > 0 ? primaries : backups;
    const weighted = candidates.some((member) => member.weight !== candidates[0]!.weight);
    if (weighted !== this.weighted) {
      this.selector = weighted ? new SmoothWeighted() : new RoundRobin();
      this.weighted = weighted;
    }
    this.selector.update(candidates);
    this.availableCount = candidates.length;
  }
}
