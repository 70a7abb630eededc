// One undici keep-alive Pool per backend, created on first use and closed when the backend leaves.
// Our own selector chooses the backend, so undici's BalancedPool is deliberately not used (two balancers would fight).
import { Pool } from 'undici';
import type { Backend } from '../backend.js';

export interface UpstreamPoolOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connectionsPerBackend: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: UpstreamPoolOptions) {}

  get(backend: Backend): Pool {
    let pool = this.pools.get(backend.id);
    if (pool === undefined) {
      pool = new Pool(backend.origin, {
        connections: this.options.connectionsPerBackend,
        // Pipelining would let one slow response delay others queued behind it on the same socket.
        pipelining: 1,
        connectTimeout: this.options.connectTimeoutMs,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
      });
      this.pools.set(backend.id, pool);
    }
    return pool;
  }

  /** Closes a departed backend's pool after its in-flight requests finish. */
  release(backendId: string): void {
    const pool = this.pools.get(backendId);
    if (!pool) return;
    this.pools.delete(backendId);
    void pool.close();
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
