// The connections to each backend origin, made on first use and closed when the backend leaves the pool (or
// its origin changes). Keyed by origin, not id: the connections belong to the address they go to.
// HTTP/1.1 pools get an undici keep-alive Pool per origin; HTTP/2 pools (h2, h2c, grpc) the gateway's own
// node:http2 client (http2-origin.ts says why). Our own selector chooses the backend, so undici's
// BalancedPool is deliberately not used (two balancers would fight).
import { Client, Pool, type Dispatcher } from 'undici';
import type { Backend } from './backend.js';
import { Http2Origin } from './http2-origin.js';
import { HTTP1_TRANSPORT, transportClientOptions, type UpstreamTransport } from './upstream-transport.js';

export interface DispatcherOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connectionsPerBackend: number;
  /** HTTP/1.1 with system CAs when unset. */
  transport?: UpstreamTransport | undefined;
  /** An HTTP/2 connection failed while no request was on it (logged by the caller). */
  onIdleFailure?: ((origin: string, error: Error) => void) | undefined;
}

/** What a try is dispatched to: undici's Pool, or an Http2Origin speaking the same handler contract. */
export interface OriginDispatcher {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  close(): Promise<void>;
}

export class Dispatchers {
  private readonly origins = new Map<string, OriginDispatcher>();
  private readonly transport: UpstreamTransport;

  constructor(private readonly options: DispatcherOptions) {
    this.transport = options.transport ?? HTTP1_TRANSPORT;
  }

  /** The pool's TLS settings towards https:// backends, for connections made outside undici (WebSocket tunnels). */
  get tls(): UpstreamTransport['tls'] {
    return this.transport.tls;
  }

  get(backend: Backend): OriginDispatcher {
    let origin = this.origins.get(backend.origin);
    if (origin === undefined) {
      origin = this.transport.protocol === 'http1'
        ? new Pool(backend.origin, { ...this.http1ClientOptions(), connections: this.options.connectionsPerBackend })
        : new Http2Origin(backend.origin, { ...this.options, streamsPerConnection: this.transport.streamsPerConnection, tls: this.transport.tls });
      this.origins.set(backend.origin, origin);
    }
    return origin;
  }

  /**
   * Sends one request on a connection opened for it alone, closed once the response is read: the retry for a
   * reused keep-alive socket the backend closed as the request arrived, when no other backend is left. An HTTP/2
   * backend has no such race (a stream it did not take is refused, and retried as never sent): the usual session.
   */
  dispatchOnNewConnection(backend: Backend, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    if (this.transport.protocol !== 'http1') {
      this.get(backend).dispatch(options, handler);
      return;
    }
    const client = new Client(backend.origin, this.http1ClientOptions());
    client.dispatch(options, handler);
    // close() waits for the request already queued, then ends the connection.
    void client.close();
  }

  /** Closes an origin's connections once the requests on them finish; the next get() opens new ones. */
  release(origin: string): void {
    const dispatcher = this.origins.get(origin);
    if (!dispatcher) return;
    this.origins.delete(origin);
    void dispatcher.close();
  }

  private http1ClientOptions() {
    return {
      ...transportClientOptions(this.transport),
      connectTimeout: this.options.connectTimeoutMs,
      headersTimeout: this.options.headersTimeoutMs,
      bodyTimeout: this.options.bodyTimeoutMs,
    };
  }

  async close(): Promise<void> {
    const origins = [...this.origins.values()];
    this.origins.clear();
    await Promise.all(origins.map((origin) => origin.close()));
  }
}
