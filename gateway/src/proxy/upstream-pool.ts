// One undici keep-alive Pool per backend, created on first use and closed when the backend leaves.
// Our own selector chooses the backend, so undici's BalancedPool is deliberately not used (two balancers would fight).
import { Client, Pool, type Dispatcher } from 'undici';
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
      pool = new Pool(backend.origin, { ...this.clientOptions(), connections: this.options.connectionsPerBackend });
      this.pools.set(backend.id, pool);
    }
    return pool;
  }

  /**
   * Sends one request on a connection opened for it alone, closed once the response is read: the retry for a
   * reused keep-alive socket the backend closed as the request arrived, when no other backend is left.
   */
  dispatchOnNewConnection(backend: Backend, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    const client = new Client(backend.origin, this.clientOptions());
    client.dispatch(options, handler);
    // close() waits for the request already queued, then ends the connection.
    void client.close();
  }

  /** Closes a departed backend's pool after its in-flight requests finish. */
  release(backendId: string): void {
    const pool = this.pools.get(backendId);
    if (!pool) return;
    this.pools.delete(backendId);
    void pool.close();
  }

  private clientOptions() {
    return {
      // Pipelining would let one slow response delay others queued behind it on the same socket.
      pipelining: 1,
      connectTimeout: this.options.connectTimeoutMs,
      headersTimeout: this.options.headersTimeoutMs,
      bodyTimeout: this.options.bodyTimeoutMs,
    };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
