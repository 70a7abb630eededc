// Every error the gateway answers itself: a stable code, its HTTP status and a message for humans.
// Transport failures are mapped to these in one place (transport-failure.ts), so the proxy never invents a status.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { isGrpcRequest, sendGrpcError } from './proxy/grpc-errors.js';

export interface GatewayError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

const define = (code: string, status: number, message: string): GatewayError => Object.freeze({ code, status, message });

export const NO_ROUTE = define('no_route', 404, 'no route of this gateway matches the request (host, path, method, headers)');
export const NO_AVAILABLE_BACKEND = define('no_available_backend', 503, 'no backend is available to take this request; retry shortly');
export const BACKEND_BUSY = define('backend_busy', 503, 'every backend of this pool is at its concurrency cap and the queue for a free one is full or took too long; retry shortly');
export const OVERLOADED = define('overloaded', 503, 'the gateway is overloaded and sheds new requests; retry after the time in Retry-After');
export const TOO_MANY_CONNECTIONS = define('too_many_connections', 503, 'the gateway holds as many client connections as it may (limits.maxClientConnections); retry on a new connection after the time in Retry-After');
export const UPSTREAM_UNREACHABLE = define('upstream_unreachable', 502, 'the backend refused or could not be reached');
export const UPSTREAM_TIMEOUT = define('upstream_timeout', 504, 'the backend did not answer in time');
export const UPSTREAM_RESET = define('upstream_reset', 502, 'the backend closed the connection before answering');
export const UPSTREAM_PROTOCOL_ERROR = define('upstream_protocol_error', 502, 'the backend sent a response that is not valid HTTP');
export const UPSTREAM_WENT_DOWN = define('upstream_went_down', 502, 'the backend went down while the request waited for its answer');
export const UPSTREAM_FAILED = define('upstream_failed', 502, 'forwarding to the backend failed');
export const BAD_REQUEST = define('bad_request', 400, 'the request cannot be forwarded as it is');
export const PAYLOAD_TOO_LARGE = define('payload_too_large', 413, 'the request body is over the size limit (limits.maxBodyBytes)');
export const RATE_LIMITED = define('rate_limited', 429, "over this route's rate limit; retry after the time in Retry-After");
export const RATE_LIMIT_UNAVAILABLE = define('rate_limit_unavailable', 503, 'the rate limit store (Redis) cannot be reached and this route fails closed; retry shortly');
export const UNAUTHORIZED = define('unauthorized', 401, 'this route needs credentials and the request has none that are valid; see WWW-Authenticate');
export const FORBIDDEN = define('forbidden', 403, 'the credentials are valid but lack a claim this route requires');
export const AUTH_UNAVAILABLE = define('auth_unavailable', 503, "the keys to verify the token (the route's JWKS URL) cannot be fetched; retry shortly");

/** HTTP/1.1 framing: a request has a body only with Transfer-Encoding or a Content-Length other than 0. */
function mayHaveBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * Writes the JSON error body every gateway-made response uses; the request id lets a user find the log line.
 * A gRPC call gets the same error as a gRPC status instead (proxy/grpc-errors.ts), whichever layer made it.
 * extra: headers of this answer (a 429's Retry-After and RateLimit fields), over the defaults.
 */
export function sendError(res: ServerResponse, error: GatewayError, requestId: string, extra?: Record<string, string | number>): void {
  if (isGrpcRequest(res.req)) return sendGrpcError(res, error, requestId, extra);
  const body = JSON.stringify({ error: error.code, message: error.message, requestId });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    'cache-control': 'no-store',
  };
  if (error.status === 503) headers['retry-after'] = 1;
  // Unread request body bytes would be parsed as the next request on a kept-alive connection. (An HTTP/2
  // stream's body is its own; Node's http2 refuses connection headers.) A request without a body (a GET) is not
  // `complete` yet while its handler runs, but has nothing unread: closing would make every shed client reconnect.
  if (!res.req.complete && res.req.httpVersionMajor === 1 && mayHaveBody(res.req.headers)) headers.connection = 'close';
  res.writeHead(error.status, extra === undefined ? headers : Object.assign(headers, extra));
  res.end(body);
}
