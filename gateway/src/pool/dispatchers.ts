// One undici keep-alive Pool per backend origin, created on first use and closed when the backend leaves the
// pool (or its origin changes). Keyed by origin, not id: the connections belong to the address they go to.
// Our own selector chooses the backend, so undici's BalancedPool is deliberately not used (two balancers would fight).
import { Client, Pool, type Dispatcher } from 'undici';
import type { Backend } from './backend.js';
import { HTTP1_TRANSPORT, transportClientOptions, type UpstreamTransport } from './upstream-transport.js';

export interface DispatcherOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connectionsPerBackend: number;
  /** HTTP/1.1 with system CAs when unset. */
  transport?: UpstreamTransport | undefined;
}

export class Dispatchers {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: DispatcherOptions) {}

  /** The pool's TLS settings towards https:// backends, for connections made outside undici (WebSocket tunnels). */
  get tls(): UpstreamTransport['tls'] {
    return this.options.transport?.tls;
  }

  get(backend: Backend): Pool {
    let pool = this.pools.get(backend.origin);
    if (pool === undefined) {
      pool = new Pool(backend.origin, { ...this.clientOptions(), connections: this.options.connectionsPerBackend });
      this.pools.set(backend.origin, pool);
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

  /** Closes an origin's connections once the requests on them finish; the next get() opens new ones. */
  release(origin: string): void {
    const pool = this.pools.get(origin);
    if (!pool) return;
    this.pools.delete(origin);
    void pool.close();
  }

  private clientOptions() {
    return {
      ...transportClientOptions(this.options.transport ?? HTTP1_TRANSPORT),
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
