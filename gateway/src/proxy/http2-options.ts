// Node's http2 server options from the http2 config section: the SETTINGS the gateway announces to every client
// and the limits that bound what one connection can make it hold. Shared by the TLS listener (ALPN h2) and the
// h2c listener.
import type { ServerOptions } from 'node:http2';
import type { GatewayConfig } from '../config.js';

// Node's defaults, pinned so the bounds the attack tests check are written down here; not config keys because
// no legitimate client comes near them.
/** Header fields per request, pseudo-headers included (HPACK bomb: many small fields). */
const MAX_HEADER_LIST_PAIRS = 128;
/** Entries in one SETTINGS frame. */
const MAX_SETTINGS = 32;
/** Streams refused (over maxConcurrentStreams, or after GOAWAY) before the connection is closed. */
const MAX_SESSION_REJECTED_STREAMS = 100;
/** Frames that are invalid or needlessly empty (a flood of zero-length DATA, say) before the connection is closed. */
const MAX_SESSION_INVALID_FRAMES = 1_000;
/** A connection that says neither h2 nor http/1.1 in ALPN is closed after this. */
const UNKNOWN_PROTOCOL_TIMEOUT_MS = 10_000;

export function http2ServerOptions(http2: GatewayConfig['http2']): ServerOptions {
  return {
    settings: {
      maxConcurrentStreams: http2.maxConcurrentStreams,
      maxHeaderListSize: http2.maxHeaderListBytes,
      // Server push is never used by a proxy.
      enablePush: false,
    },
    // Also bounds the SETTINGS and PING acknowledgements a flood queues: past it the connection is closed.
    maxSessionMemory: http2.maxSessionMemoryMb,
    maxHeaderListPairs: MAX_HEADER_LIST_PAIRS,
    maxSettings: MAX_SETTINGS,
    maxSessionRejectedStreams: MAX_SESSION_REJECTED_STREAMS,
    maxSessionInvalidFrames: MAX_SESSION_INVALID_FRAMES,
    unknownProtocolTimeout: UNKNOWN_PROTOCOL_TIMEOUT_MS,
  };
}
