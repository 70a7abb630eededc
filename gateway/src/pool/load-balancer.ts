// The load balancer: pool members, their health and the selection policy joined behind pick().
// The candidate set is rebuilt only when membership or availability changes, so pick() is O(1) for round-robin.
import type { Backend } from './backend.js';
import type { ProbeResult } from '../health/active-check.js';
import type { LoadBalancerOptions, MirroredState } from './load-balancer-options.js';
import { PendingQueue } from './pending-queue.js';
import { PoolMember, type MemberState } from './pool-member.js';
import { ConsistentHash } from '../selection/consistent-hash.js';
import { LeastOutstanding } from '../selection/least-outstanding.js';
import { RoundRobin } from '../selection/round-robin.js';
import type { Selector } from '../selection/selector.js';
import { SmoothWeighted } from '../selection/smooth-weighted.js';

export class LoadBalancer {
  private readonly members = new Map<string, PoolMember>();
  private readonly readmitTimers = new Map<string, NodeJS.Timeout>();
  private selector: Selector<PoolMember>;
  private weighted = false;
  /** Members taking traffic now: primaries, or the backups when no primary is available. */
  private availableCount = 0;
  private candidates: readonly PoolMember[] = [];
  /** concurrency.maxPerBackend; undefined when members are not capped. */
  private readonly cap: number | undefined;
  /** Requests waiting for a member under its cap; undefined when members are not capped. */
  readonly pending: PendingQueue | undefined;
  private readonly wakePending: (() => void) | undefined;

  constructor(private readonly options: LoadBalancerOptions) {
    const { concurrency } = options;
    this.cap = concurrency?.maxPerBackend;
    this.pending = concurrency && new PendingQueue(concurrency.maxPending, concurrency.queueTimeoutMs);
    this.wakePending = this.pending && (() => this.pending!.wake());
    // Round-robin switches to smooth weighted and back as weights differ (rebuild); the others read weights themselves.
    this.selector = options.policy === 'least-outstanding'
      ? new LeastOutstanding<PoolMember>({ weightOf: this.weightNow })
      : options.policy === 'consistent-hash' ? new ConsistentHash<PoolMember>() : new RoundRobin();
  }

  /**
   * The next member for a request, skipping those a retry already tried; undefined when none is available.
   * key is what consistent hashing maps to a member (other policies ignore it).
   */
  pick(tried?: ReadonlySet<string>, key?: string): PoolMember | undefined {
    const member = this.selector.pick(tried, key);
    if (this.cap === undefined || member === undefined || member.inFlight < this.cap) return member;
    return this.pickUnderCap(member, tried, key);
  }

  /**
   * The policy's choice is at its cap: ask it again without that member, as if tried, so the policy still
   * decides among the members that have room (consistent hashing walks on to the next one on the ring).
   */
  private pickUnderCap(full: PoolMember, tried: ReadonlySet<string> | undefined, key: string | undefined): PoolMember | undefined {
    const cap = this.cap!;
    if (!this.candidates.some((member) => member.inFlight < cap && !tried?.has(member.id))) return undefined;
    const skip = new Set(tried).add(full.id);
    for (;;) {
      const member = this.selector.pick(skip, key);
      if (member === undefined || member.inFlight < cap) return member;
      skip.add(member.id);
    }
  }

  /** After pick() came back empty: whether that is because every member it could choose is at its cap (then wait in `pending`). */
  busy(tried?: ReadonlySet<string>): boolean {
    return this.pending !== undefined && this.candidates.some((member) => !tried?.has(member.id));
  }

  get hasAvailable(): boolean {
    return this.availableCount > 0;
  }

  /** Members taking traffic now (primaries, or backups when no primary is available). */
  get available(): number {
    return this.availableCount;
  }

  /** Whether a member outside `tried` could take a retry now. O(n): for the failure path only. */
  hasUntried(tried: ReadonlySet<string>): boolean {
    return this.candidates.some((member) => !tried.has(member.id));
  }

  list(): PoolMember[] {
    return [...this.members.values()];
  }

  get(id: string): PoolMember | undefined {
    return this.members.get(id);
  }

  /** Adds a backend, or replaces one whose origin changed; an unchanged backend keeps its health. */
  add(backend: Backend, actor?: string): PoolMember {
    const existing = this.members.get(backend.id);
    if (existing && existing.backend.origin === backend.origin && existing.weight === backend.weight && existing.backend.backup === backend.backup) {
      return existing;
    }
    const member = new PoolMember(backend, this.options.thresholds, this.options.initialState, this.options.passive);
    member.onRelease = this.wakePending;
    this.members.set(backend.id, member);
    this.rebuild();
    this.options.onChange?.({ backend, from: existing ? existing.state : 'absent', to: member.state, reason: existing ? 'replaced' : 'added', actor });
    return member;
  }

  remove(id: string, reason: string, actor?: string): void {
    const member = this.members.get(id);
    if (!member) return;
    this.members.delete(id);
    clearTimeout(this.readmitTimers.get(id));
    this.readmitTimers.delete(id);
    this.rebuild();
    this.options.onChange?.({ backend: member.backend, from: member.state, to: 'absent', reason, actor });
  }

  /** Feeds an active probe into the member's health; a flip changes the candidate set at once. */
  recordProbe(id: string, result: ProbeResult): void {
    const member = this.members.get(id);
    if (!member) return;
    const before = member.state;
    const flip = result.ok ? member.health.recordSuccess() : member.health.recordFailure(result.reason);
    if (!flip) return;
    this.changed(member, before, flip.reason);
  }

  /**
   * A failure seen by live traffic (refused, reset, timeout, a listed status). Enough of them within the
   * window eject the member, unless it is the last one available: then it keeps serving (panic mode),
   * since a backend that fails some requests beats a certain 503 for all of them.
   */
  reportFailure(member: PoolMember, reason: string): void {
    const passive = member.passive;
    if (passive === undefined || member.ejected || !this.members.has(member.id)) return;
    if (this.options.reportFailureTo) {
      this.options.reportFailureTo(member.backend, reason);
      return;
    }
    const now = Date.now();
    const ejectMs = passive.recordFailure(reason, now);
    if (ejectMs === undefined) return;
    if (member.available && this.availableCount <= 1) {
      this.options.onEjectionRefused?.(member.backend, passive.reason);
      return;
    }
    const before = member.state;
    passive.eject(ejectMs, now);
    const timer = setTimeout(() => this.readmit(member), ejectMs);
    timer.unref();
    this.readmitTimers.set(member.id, timer);
    this.changed(member, before, passive.reason);
  }

  /** Slow start: the member's share grows over slowStartMs, then the selector goes back to plain shares. */
  private startRamp(member: PoolMember): void {
    const rampMs = this.options.slowStartMs ?? 0;
    if (rampMs <= 0) return;
    const started = Date.now();
    member.rampStartedAt = started;
    setTimeout(() => {
      if (member.rampStartedAt !== started) return; // a newer ramp took over
      member.rampStartedAt = undefined;
      this.rebuild();
    }, rampMs).unref();
  }

  private readmit(member: PoolMember): void {
    this.readmitTimers.delete(member.id);
    if (!member.ejected) return;
    const before = member.state;
    member.passive!.readmit();
    this.changed(member, before, 'ejection ended');
  }

  /** Rebuilds the candidate set after a member's state changed, moves its waiting tries, and reports it. */
  private changed(member: PoolMember, before: MemberState, reason: string, actor?: string): void {
    if ((before === 'down' || before === 'ejected') && member.available) this.startRamp(member);
    this.rebuild();
    // Draining lets in-flight requests finish; down and ejected mean their answers may never come.
    if (!member.available && !member.draining) member.rescueWaiting(reason);
    // A health flip under an ejection or a drain changes nothing anyone sees: no event for it.
    if (member.state === before) return;
    member.lastChange = { reason, at: Date.now() };
    this.options.onChange?.({ backend: member.backend, from: before, to: member.state, reason, actor });
  }

  setDraining(id: string, draining: boolean, reason: string, actor?: string): PoolMember | undefined {
    const member = this.members.get(id);
    if (!member || member.draining === draining) return member;
    const before = member.state;
    member.draining = draining;
    this.changed(member, before, reason, actor);
    return member;
  }

  /** Changes a member's weight in place, keeping its health; the selector is rebuilt with the new weight. */
  setWeight(id: string, weight: number, reason: string, actor?: string): PoolMember | undefined {
    const member = this.members.get(id);
    if (!member || member.weight === weight) return member;
    const from = member.weight;
    member.weight = weight;
    this.rebuild();
    this.options.onChange?.({ backend: member.backend, from: member.state, to: member.state, reason, actor, weight: { from, to: weight } });
    return member;
  }

  /**
   * Takes a state decided by another process (the primary probes and ejects; a worker's members follow it):
   * health, ejection, drain and weight at once, with the same rebuild, rescue and change event as a local flip.
   */
  mirror(id: string, state: MirroredState): void {
    const member = this.members.get(id);
    if (!member) return;
    const before = member.state;
    const wasAvailable = member.available;
    const weightChanged = member.weight !== state.weight;
    member.health.adopt(state.health, state.healthReason);
    member.passive?.adopt(state.ejectedUntil, state.ejectReason);
    member.draining = state.draining;
    member.weight = state.weight;
    if (member.state !== before || member.available !== wasAvailable || weightChanged) this.changed(member, before, state.why);
  }

  /** A member's share now: its weight, or less while it ramps up after slow start began. */
  private readonly weightNow = (member: PoolMember): number =>
    member.rampStartedAt === undefined ? member.weight : member.effectiveWeight(Date.now(), this.options.slowStartMs ?? 0);

  private rebuild(): void {
    const primaries: PoolMember[] = [];
    const backups: PoolMember[] = [];
    for (const member of this.members.values()) {
      if (member.available) (member.backend.backup ? backups : primaries).push(member);
    }
    const candidates = primaries.length > 0 ? primaries : backups;
    const ramping = candidates.some((member) => member.rampStartedAt !== undefined);
    const weighted = ramping || candidates.some((member) => member.weight !== candidates[0]!.weight);
    if (weighted !== this.weighted && (this.options.policy ?? 'round-robin') === 'round-robin') {
      this.selector = weighted ? new SmoothWeighted<PoolMember>(this.weightNow) : new RoundRobin();
      this.weighted = weighted;
    }
    this.selector.update(candidates);
    this.candidates = candidates;
    this.availableCount = candidates.length;
    // A member came or went: waiting requests may now have one to go to, or none at all.
    this.pending?.wake();
  }
}
