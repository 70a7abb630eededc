// How a pool's connections to its backends are made: HTTP/1.1 or HTTP/2 (gRPC rides HTTP/2), and the TLS
// settings for https:// backends. HTTP/1.1 traffic (dispatchers.ts) and active probes (health/active-check.ts)
// build their undici options here, so a probe speaks the protocol and TLS its pool's traffic does. HTTP/2
// traffic goes through http2-origin.ts with the same TLS settings; probes of h2 pools stay on undici, whose
// HTTP/2 flaw (the tail of a paused response) cannot touch a small health answer read at once.
import type { UpstreamProtocol } from '../config-schema-upstream.js';
import type { UpstreamTlsOptions } from './upstream-tls.js';

export interface UpstreamTransport {
  protocol: UpstreamProtocol;
  /** Streams one HTTP/2 connection carries at once; ignored for HTTP/1.1. */
  streamsPerConnection: number;
  /** Undefined: system CAs, SNI from the URL's host, no client certificate. */
  tls: UpstreamTlsOptions | undefined;
}

export const HTTP1_TRANSPORT: UpstreamTransport = Object.freeze({ protocol: 'http1', streamsPerConnection: 1, tls: undefined });

/** The undici Client/Pool/Agent options for a transport, besides timeouts and connection counts. */
export interface TransportClientOptions {
  allowH2: boolean;
  pipelining: number;
  maxConcurrentStreams?: number;
  connect: UpstreamTlsOptions & { useH2c?: boolean } | undefined;
}

export function transportClientOptions(transport: UpstreamTransport): TransportClientOptions {
  if (transport.protocol === 'http1') {
    // Pipelining would let one slow response delay others queued behind it on the same socket.
    return { allowH2: false, pipelining: 1, connect: transport.tls && { ...transport.tls } };
  }
  return {
    // https:// backends: h2 chosen by ALPN. http:// backends: h2c with prior knowledge (undici's useH2c, in
    // since 7.x; it applies to cleartext sockets only, so one set of options serves both schemes).
    allowH2: true,
    // undici sends up to `pipelining` requests on one connection before it opens another: the stream cap.
    pipelining: transport.streamsPerConnection,
    maxConcurrentStreams: transport.streamsPerConnection,
    connect: { ...transport.tls, rejectUnauthorized: transport.tls?.rejectUnauthorized ?? true, useH2c: true },
  };
}
