// The upstream pools by name: what routes point at, what the admin API and the metrics walk. One live set for the
// gateway's lifetime: a reload adds, replaces and deletes pools in it. Backend ids are unique across pools, so a
// member is found by its id alone.
import type { PoolMember } from './pool-member.js';
import type { UpstreamPool } from './upstream-pool.js';

/** One pool in a line, as /pool, /readyz and the dashboard all say it. */
export interface PoolSummary {
  name: string;
  backends: number;
  /** Members taking traffic now: primaries, or the backups when no primary is available. */
  available: number;
}

export class PoolSet {
  private readonly pools = new Map<string, UpstreamPool>();

  /** Adds a pool, or replaces the one of the same name. */
  set(pool: UpstreamPool): void {
    this.pools.set(pool.name, pool);
  }

  delete(name: string): void {
    this.pools.delete(name);
  }

  entries(): [string, UpstreamPool][] {
    return [...this.pools.entries()];
  }

  get(name: string): UpstreamPool | undefined {
    return this.pools.get(name);
  }

  get names(): string[] {
    return [...this.pools.keys()];
  }

  all(): IterableIterator<UpstreamPool> {
    return this.pools.values();
  }

  summaries(): PoolSummary[] {
    return [...this.pools.values()].map((pool) => ({ name: pool.name, backends: pool.size, available: pool.loadBalancer.available }));
  }

  /** Members taking traffic now, over every pool. */
  get available(): number {
    let available = 0;
    for (const pool of this.pools.values()) available += pool.loadBalancer.available;
    return available;
  }

  /** Every member of every pool, pool by pool. */
  *members(): Generator<PoolMember> {
    for (const pool of this.pools.values()) yield* pool.loadBalancer.list();
  }

  /** The pool that holds the backend with this id, and the member. */
  find(id: string): { pool: UpstreamPool; member: PoolMember } | undefined {
    for (const pool of this.pools.values()) {
      const member = pool.get(id);
      if (member) return { pool, member };
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}
