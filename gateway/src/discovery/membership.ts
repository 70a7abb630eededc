// Pool membership as discovery sources see it: adding a backend also starts its active probes and removing
// it stops them, so every source (registry, DNS, etcd) gets "two signals" without knowing about health checks.
import type { Backend } from '../backend.js';
import type { ActiveHealthChecker } from '../health/active-check.js';
import type { LoadBalancer } from '../load-balancer.js';
import type { PoolMember } from '../pool-member.js';

export class PoolMembership {
  constructor(
    readonly loadBalancer: LoadBalancer,
    /** Undefined when active checks are switched off. */
    private readonly checker: ActiveHealthChecker | undefined,
  ) {}

  get size(): number {
    return this.loadBalancer.list().length;
  }

  get(id: string): PoolMember | undefined {
    return this.loadBalancer.get(id);
  }

  /** Adds (or replaces) a backend; an unchanged one keeps its member and health. */
  add(backend: Backend, actor: string): PoolMember {
    const before = this.loadBalancer.get(backend.id);
    const member = this.loadBalancer.add(backend, actor);
    // A replaced backend (new origin) restarts its probes so the first one goes out at once.
    if (before && before !== member) this.checker?.unwatch(backend.id);
    this.checker?.watch(member.backend);
    return member;
  }

  remove(id: string, reason: string, actor: string): void {
    this.checker?.unwatch(id);
    this.loadBalancer.remove(id, reason, actor);
  }
}
