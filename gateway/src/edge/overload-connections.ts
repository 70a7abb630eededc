// The cap on open client connections (limits.maxClientConnections), counted over the traffic, TLS and h2c listeners.
// Node's own server.maxConnections destroys a connection past the cap without a word (the client sees a reset or
// an empty reply); here a connection past the cap is marked instead, and its first request is answered 503
// too_many_connections with Retry-After and Connection: close (nginx's limit_conn also answers 503). One that
// sends nothing is closed after a short grace, so connections past the cap cannot pile up.
import type { Server } from 'node:net';

const OVER_CAP = Symbol('over limits.maxClientConnections');
/** How long a connection past the cap may stay open to read its one answer. */
const OVER_CAP_GRACE_MS = 2_000;

interface CountedSocket {
  [OVER_CAP]?: true;
  once(event: 'close', listener: () => void): unknown;
  destroy(): unknown;
}

export class OverloadConnections {
  /** Connections under the cap that are open now (those past it are not counted: they only get their 503). */
  open = 0;

  constructor(private readonly max: number) {}

  /** Counts a listener's connections: 'connection' for cleartext, 'secureConnection' (after the handshake) for TLS. */
  watch(server: Server, event: 'connection' | 'secureConnection'): void {
    server.on(event, this.onConnection);
  }

  /** Whether the request came on a connection past the cap (also through a proxy socket object, as HTTP/2's). */
  static overCap(socket: object): boolean {
    return (socket as CountedSocket)[OVER_CAP] === true;
  }

  private readonly onConnection = (socket: CountedSocket): void => {
    if (this.open < this.max) {
      this.open += 1;
      socket.once('close', this.onClose);
      return;
    }
    socket[OVER_CAP] = true;
    const grace = setTimeout(destroy, OVER_CAP_GRACE_MS, socket);
    grace.unref();
    socket.once('close', () => clearTimeout(grace));
  };

  private readonly onClose = (): void => {
    this.open -= 1;
  };
}

function destroy(socket: CountedSocket): void {
  socket.destroy();
}
