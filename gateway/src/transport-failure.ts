// The one classifier for transport failures: traffic, health probes, upgrade tunnels and the retry policy all
// name a failure with it, so the same failure reads the same in a log line, a /pool reason and a metric.
// The original code and message travel along as `cause` for logs and the access line, never to the client.
import { BAD_REQUEST, PAYLOAD_TOO_LARGE, UPSTREAM_FAILED, UPSTREAM_PROTOCOL_ERROR, UPSTREAM_RESET, UPSTREAM_TIMEOUT, UPSTREAM_UNREACHABLE, UPSTREAM_WENT_DOWN, type GatewayError } from './errors.js';

/** What went wrong, in the words operators read everywhere (passive-health reasons, probe reasons, access lines). */
export type FailureReason =
  | 'refused'
  | 'connect timeout'
  | 'dns'
  | 'unreachable'
  | 'reset'
  /** No response headers in time (a probe's timeout, proxy.headersTimeoutMs or retry.perTryTimeoutMs). */
  | 'timeout'
  /** The response body stalled after its headers. */
  | 'body timeout'
  | 'protocol'
  /** The backend was taken out (down or ejected) while the try waited for its answer. */
  | 'went down'
  /** The backend's connection pool was closed (the backend left the pool) before the try could use it. */
  | 'closed'
  /** The HTTP client refused to send the request as it is: nothing went out, and another backend would refuse too. */
  | 'rejected'
  | 'body too large'
  | 'unknown';

/** How a failed try looks to the retry policy (gateway/src/proxy/retry-policy.ts). */
export type FailureKind =
  /** Refused, connect timeout, DNS, a closed pool: the backend never saw a byte. */
  | 'connect'
  /** The connection closed after the request started going out but before any response byte (incl. the keep-alive race). */
  | 'reset'
  /** No response headers within the timeout. */
  | 'timeout'
  /** The backend answered with a status listed in retry.statuses. */
  | 'status'
  /** The backend was taken out (down/ejected) while this try waited for its answer. */
  | 'rescued'
  /** The request cannot be sent to any backend as it is (undici refused it, or the body is over the limit). */
  | 'rejected';

export interface TransportFailure {
  reason: FailureReason;
  kind: FailureKind;
  /** What the client is told. */
  clientError: GatewayError;
  /** Counts towards the backend's passive health: the backend (or the way to it) failed, not the request or the gateway. */
  blamesBackend: boolean;
  /** The original error, "CODE: message", for the log and the access line. */
  cause: string;
}

interface Naming {
  reason: FailureReason;
  clientError: GatewayError;
  blamesBackend: boolean;
}

const name = (reason: FailureReason, clientError: GatewayError, blamesBackend = true): Naming => ({ reason, clientError, blamesBackend });

/** By error code, as undici, Node and the gateway's own errors (GATEWAY_*) set it. */
const BY_CODE: Record<string, Naming> = {
  ECONNREFUSED: name('refused', UPSTREAM_UNREACHABLE),
  UND_ERR_CONNECT_TIMEOUT: name('connect timeout', UPSTREAM_TIMEOUT),
  ENOTFOUND: name('dns', UPSTREAM_UNREACHABLE),
  EAI_AGAIN: name('dns', UPSTREAM_UNREACHABLE),
  EHOSTUNREACH: name('unreachable', UPSTREAM_UNREACHABLE),
  ENETUNREACH: name('unreachable', UPSTREAM_UNREACHABLE),
  ECONNRESET: name('reset', UPSTREAM_RESET),
  EPIPE: name('reset', UPSTREAM_RESET),
  UND_ERR_SOCKET: name('reset', UPSTREAM_RESET),
  // HTTP/2 backends: a stream reset (RST_STREAM), a session torn down, or undici's "stream closed before the response".
  ERR_HTTP2_STREAM_ERROR: name('reset', UPSTREAM_RESET),
  ERR_HTTP2_SESSION_ERROR: name('reset', UPSTREAM_RESET),
  ERR_HTTP2_GOAWAY_SESSION: name('reset', UPSTREAM_RESET),
  UND_ERR_INFO: name('reset', UPSTREAM_RESET),
  ERR_HTTP2_STREAM_CANCEL: name('reset', UPSTREAM_RESET),
  // The gateway's own HTTP/2 client (pool/http2-origin.ts, http2-exchange.ts).
  GATEWAY_CONNECT_TIMEOUT: name('connect timeout', UPSTREAM_TIMEOUT),
  GATEWAY_SESSION_CLOSED: name('reset', UPSTREAM_RESET),
  GATEWAY_STREAM_RESET: name('reset', UPSTREAM_RESET),
  GATEWAY_STREAM_REFUSED: name('refused', UPSTREAM_UNREACHABLE),
  GATEWAY_HEADERS_TIMEOUT: name('timeout', UPSTREAM_TIMEOUT),
  GATEWAY_BODY_TIMEOUT: name('body timeout', UPSTREAM_TIMEOUT),
  GATEWAY_ORIGIN_CLOSED: name('closed', UPSTREAM_UNREACHABLE, false),
  // node:http2 refusing a request on a session that is closing: thrown before anything went out.
  ERR_HTTP2_INVALID_SESSION: name('closed', UPSTREAM_UNREACHABLE, false),
  UND_ERR_HEADERS_TIMEOUT: name('timeout', UPSTREAM_TIMEOUT),
  GATEWAY_PER_TRY_TIMEOUT: name('timeout', UPSTREAM_TIMEOUT),
  ETIMEDOUT: name('timeout', UPSTREAM_TIMEOUT),
  UND_ERR_BODY_TIMEOUT: name('body timeout', UPSTREAM_TIMEOUT),
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: name('protocol', UPSTREAM_PROTOCOL_ERROR),
  GATEWAY_RESCUED: name('went down', UPSTREAM_WENT_DOWN, false),
  UND_ERR_CLOSED: name('closed', UPSTREAM_UNREACHABLE, false),
  UND_ERR_DESTROYED: name('closed', UPSTREAM_UNREACHABLE, false),
  UND_ERR_INVALID_ARG: name('rejected', BAD_REQUEST, false),
  UND_ERR_NOT_SUPPORTED: name('rejected', UPSTREAM_FAILED, false),
  // Headers node:http2 will not send (towards HTTP/2 backends).
  ERR_INVALID_CHAR: name('rejected', BAD_REQUEST, false),
  ERR_HTTP2_INVALID_HEADER_VALUE: name('rejected', BAD_REQUEST, false),
  ERR_HTTP2_HEADER_SINGLE_VALUE: name('rejected', BAD_REQUEST, false),
  GATEWAY_BODY_TOO_LARGE: name('body too large', PAYLOAD_TOO_LARGE, false),
};

const PROTOCOL = name('protocol', UPSTREAM_PROTOCOL_ERROR);
const TIMEOUT = name('timeout', UPSTREAM_TIMEOUT);
// Not blamed on the backend: an error nobody named may be the gateway's own (the Expect bug was one such).
const UNKNOWN = name('unknown', UPSTREAM_FAILED, false);

/**
 * Names a failed try. `sent` says whether the request started going out on a connected socket (undici's
 * onConnect): before that, any transport failure left the backend untouched and is safe to retry anywhere.
 */
export function classifyTransportFailure(error: unknown, sent: boolean): TransportFailure {
  const { code: rawCode, name: errorName = '', message = String(error) } = (error ?? {}) as { code?: unknown; name?: string; message?: string };
  // DOMExceptions (an AbortSignal's TimeoutError) carry a numeric code that means nothing here.
  const code = typeof rawCode === 'string' ? rawCode : '';
  const naming = BY_CODE[code] ?? (errorName === 'HTTPParserError' || code.startsWith('HPE_') ? PROTOCOL : errorName === 'TimeoutError' ? TIMEOUT : UNKNOWN);
  return {
    reason: naming.reason,
    // A refused stream was never processed, whatever went out: as safe to send elsewhere as a refused connection.
    kind: kindOf(naming.reason, sent && code !== 'GATEWAY_STREAM_REFUSED'),
    clientError: naming.clientError,
    blamesBackend: naming.blamesBackend,
    cause: code === '' ? `${errorName || 'Error'}: ${message}` : `${code}: ${message}`,
  };
}

function kindOf(reason: FailureReason, sent: boolean): FailureKind {
  switch (reason) {
    case 'went down':
      return 'rescued';
    case 'rejected':
    case 'body too large':
      return 'rejected';
    case 'timeout':
    case 'body timeout':
      return sent ? 'timeout' : 'connect';
    default:
      return sent ? 'reset' : 'connect';
  }
}
