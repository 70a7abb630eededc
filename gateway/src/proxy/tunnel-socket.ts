// The socket a WebSocket tunnel opens to its backend: TCP for ws:// (http://) backends, TLS for wss:// (https://)
// ones with the pool's own tls settings (ca, client certificate for mTLS, servername, rejectUnauthorized), so a
// tunnel trusts and presents exactly what the pool's other requests and probes do.
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { UpstreamTlsOptions } from '../pool/upstream-tls.js';

export interface TunnelSocket {
  socket: Socket;
  /** The event after which the handshake may be written: 'connect', or 'secureConnect' once TLS is verified. */
  ready: 'connect' | 'secureConnect';
}

/** origin: the backend's URL; tls: the pool's settings (undefined: system CAs, SNI from the host, no client certificate). */
export function connectTunnelSocket(origin: URL, tls: UpstreamTlsOptions | undefined): TunnelSocket {
  const secure = origin.protocol === 'https:';
  const port = Number(origin.port || (secure ? 443 : 80));
  if (!secure) return { socket: connectTcp({ host: origin.hostname, port }), ready: 'connect' };
  // SNI carries host names only (RFC 6066 §3): an address is sent none, unless the pool names one.
  const servername = tls?.servername ?? (isIP(origin.hostname) === 0 ? origin.hostname : undefined);
  const socket = connectTls({
    host: origin.hostname,
    port,
    ...tls,
    servername,
    // The upgrade is an HTTP/1.1 exchange, whatever the pool's protocol (an h2 pool's backend would pick h2 by ALPN).
    ALPNProtocols: ['http/1.1'],
    rejectUnauthorized: tls?.rejectUnauthorized ?? true,
  });
  return { socket, ready: 'secureConnect' };
}
