// The h2c listener: cleartext HTTP/2 with prior knowledge (curl --http2-prior-knowledge, gRPC clients on a
// trusted network) in front of the same request handler as the other listeners. It speaks HTTP/2 only; the
// HTTP/1.1 Upgrade to h2c is never accepted anywhere (upgrade-fallback.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Http2Server, type ServerOptions } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { http2Handler } from './h2-request.js';
import { Http2Sessions } from './http2-sessions.js';

export class H2cListener {
  readonly server: Http2Server;
  private readonly sessions: Http2Sessions;

  constructor(handle: (req: IncomingMessage, res: ServerResponse) => void, options: ServerOptions, idleTimeoutMs: number) {
    this.server = createServer(options, http2Handler(handle));
    this.sessions = new Http2Sessions(this.server, idleTimeoutMs);
  }

  /** reusePort: a socket of this process's own (SO_REUSEPORT), not node:cluster's shared one. */
  listen(host: string, port: number, reusePort = false): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, reusePort }, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Still accepting (a draining worker), but each connection closes in answer to its next request; see Http2Sessions.handOff. */
  handOff(): void {
    this.sessions.handOff();
  }

  /** GOAWAY to every connection; resolves once their open streams have finished and they are closed. */
  async close(): Promise<void> {
    this.sessions.closeAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
