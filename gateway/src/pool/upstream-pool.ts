// One upstream pool: its members and their health, the selection policy, the undici dispatchers and the
// add/remove lifecycle, in one place. Discovery sources (static config, registry, DNS, etcd) feed it through
// add/remove; routes choose it; the proxy picks from its load balancer and sends through its dispatchers.
import { ActiveHealthChecker, type ActiveCheckOptions, type ProbeResult } from '../health/active-check.js';
import type { Backend } from './backend.js';
import { Dispatchers, type DispatcherOptions } from './dispatchers.js';
import { LoadBalancer } from './load-balancer.js';
import type { LoadBalancerOptions } from './load-balancer-options.js';
import type { PoolMember } from './pool-member.js';

export interface UpstreamPoolOptions {
  name: string;
  balancing: LoadBalancerOptions;
  /** Active checks of this pool's members; undefined switches them off (members then start up). */
  checks: ActiveCheckOptions | undefined;
  dispatchers: DispatcherOptions;
  /** Told of every probe result (metrics), after the member's health took it. */
  onProbe?: (backend: Backend, result: ProbeResult) => void;
}

export class UpstreamPool {
  readonly name: string;
  readonly loadBalancer: LoadBalancer;
  readonly dispatchers: Dispatchers;
  private readonly checker: ActiveHealthChecker | undefined;

  constructor(options: UpstreamPoolOptions) {
    this.name = options.name;
    this.loadBalancer = new LoadBalancer(options.balancing);
    this.dispatchers = new Dispatchers(options.dispatchers);
    this.checker = options.checks
      ? new ActiveHealthChecker(options.checks, (backend, result) => {
        this.loadBalancer.recordProbe(backend.id, result);
        options.onProbe?.(backend, result);
      }, options.dispatchers.transport)
      : undefined;
  }

  get size(): number {
    return this.loadBalancer.list().length;
  }

  get(id: string): PoolMember | undefined {
    return this.loadBalancer.get(id);
  }

  /** Whether active checks run in this pool (the admin view shows probe times only then). */
  get checked(): boolean {
    return this.checker !== undefined;
  }

  nextProbeAt(id: string): number | undefined {
    return this.checker?.nextProbeAt(id);
  }

  /** Adds (or replaces) a backend and starts its probes; an unchanged one keeps its member and health. */
  add(backend: Backend, actor?: string): PoolMember {
    const before = this.loadBalancer.get(backend.id);
    const member = this.loadBalancer.add(backend, actor);
    if (before && before !== member) {
      // A replaced backend (new origin or weight) restarts its probes so the first one goes out at once.
      this.checker?.unwatch(backend.id);
      if (before.backend.origin !== backend.origin) this.releaseOrigin(before.backend.origin);
    }
    this.checker?.watch(member.backend);
    return member;
  }

  /** Stops probing a backend, takes it out, and closes its connections once the requests on them finish. */
  remove(id: string, reason: string, actor?: string): void {
    const member = this.loadBalancer.get(id);
    if (!member) return;
    this.checker?.unwatch(id);
    this.loadBalancer.remove(id, reason, actor);
    this.releaseOrigin(member.backend.origin);
  }

  /**
   * Takes every member out (a reload removed or replaced the pool): probes stop, /pool and the metrics drop
   * them, and requests still on the way keep their member. close() then ends the connections once those are done.
   */
  takeOut(reason: string): UpstreamPool {
    for (const member of this.loadBalancer.list()) {
      this.checker?.unwatch(member.id);
      this.loadBalancer.remove(member.id, reason, 'config');
    }
    return this;
  }

  async close(): Promise<void> {
    await this.checker?.close();
    await this.dispatchers.close();
  }

  /** The dispatcher of an origin no member uses any more. */
  private releaseOrigin(origin: string): void {
    if (!this.loadBalancer.list().some((member) => member.backend.origin === origin)) this.dispatchers.release(origin);
  }
}
