// The upstream pools by name: what routes point at, what the admin API and the metrics walk. Backend ids are
// unique across pools, so a member is found by its id alone.
import type { PoolMember } from './pool-member.js';
import type { UpstreamPool } from './upstream-pool.js';

export class PoolSet {
  private readonly pools: ReadonlyMap<string, UpstreamPool>;

  constructor(pools: readonly UpstreamPool[]) {
    this.pools = new Map(pools.map((pool) => [pool.name, pool]));
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
