// gRPC's view of the gateway's own errors: which status a gRPC client gets for each error the gateway makes
// (no route, auth, rate limit, overload, no backend, timeout, reset…), sent as a trailers-only response (HTTP 200,
// content-type application/grpc, grpc-status and grpc-message), the status names the metrics use, and
// grpc-timeout read from a call. errors.ts sends every gateway error through here when the request is gRPC.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { GatewayError } from '../errors.js';

/** The gRPC status codes (grpc/doc/statuscodes.md), by number; names are the metric labels. */
export const GRPC_STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;
export type GrpcStatusName = (typeof GRPC_STATUS_NAMES)[number];

export const GRPC_OK = 0;
export const GRPC_CANCELLED = 1;
export const GRPC_UNKNOWN = 2;
export const GRPC_DEADLINE_EXCEEDED = 4;
export const GRPC_UNAVAILABLE = 14;

/**
 * By the gateway error's code. UNAVAILABLE tells a gRPC client that trying again is safe (nothing was done, or
 * the backend is gone); DEADLINE_EXCEEDED that the call ran out of time; INTERNAL that the answer was broken.
 * A rate limit is RESOURCE_EXHAUSTED ("a per-user quota", grpc/doc/statuscodes.md), as Envoy's rate limit
 * filter sends with rate_limited_as_resource_exhausted, not the UNAVAILABLE of grpc's plain HTTP 429 mapping:
 * clients' retry policies retry UNAVAILABLE at once, which would hammer a limit that asks them to wait.
 */
const BY_ERROR: Record<string, number> = {
  no_available_backend: GRPC_UNAVAILABLE,
  upstream_unreachable: GRPC_UNAVAILABLE,
  upstream_reset: GRPC_UNAVAILABLE,
  upstream_went_down: GRPC_UNAVAILABLE,
  upstream_timeout: GRPC_DEADLINE_EXCEEDED,
  upstream_protocol_error: 13, // INTERNAL
  upstream_failed: 13,
  bad_request: 13,
  payload_too_large: 8, // RESOURCE_EXHAUSTED
  rate_limited: 8,
  rate_limit_unavailable: GRPC_UNAVAILABLE,
  backend_busy: GRPC_UNAVAILABLE, // overloaded for now: safe to try again shortly
  overloaded: GRPC_UNAVAILABLE,
  too_many_connections: GRPC_UNAVAILABLE,
  auth_unavailable: GRPC_UNAVAILABLE,
  unauthorized: 16, // UNAUTHENTICATED
  forbidden: 7, // PERMISSION_DENIED
  no_route: 12, // UNIMPLEMENTED: no service here answers this method
};

export function grpcStatusOf(error: GatewayError): number {
  return BY_ERROR[error.code] ?? GRPC_UNKNOWN;
}

/** The metric label of a status code; anything outside the table is UNKNOWN, so the label set stays bounded. */
export function grpcStatusName(code: number): GrpcStatusName {
  return GRPC_STATUS_NAMES[code] ?? 'UNKNOWN';
}

/** A grpc-status header or trailer value as a number; undefined when absent or not a status code. */
export function parseGrpcStatus(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const code = Number(value);
  return Number.isInteger(code) && code >= 0 ? code : undefined;
}

/**
 * Whether a gateway error for this request takes gRPC's shape: an HTTP/2 request with content-type
 * application/grpc (or +proto, +json…). gRPC runs over HTTP/2 only, so HTTP/1.1 pays one comparison.
 */
export function isGrpcRequest(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2 && req.headers['content-type']?.startsWith('application/grpc') === true;
}

/**
 * Answers a call with a gRPC error: a trailers-only response (one HEADERS frame ending the stream), which every
 * gRPC client reads as the call's status. Node's compatibility response always waits for trailers after its
 * headers, so for an HTTP/2 client the stream responds directly; over HTTP/1.1 headers and an empty body.
 * extra: headers of this answer (a 429's Retry-After and RateLimit fields, a 401's WWW-Authenticate), kept as
 * they are: a client reads them from the call's trailing metadata.
 */
export function sendGrpcError(res: ServerResponse, error: GatewayError, requestId: string, extra?: Record<string, string | number>): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/grpc',
    'grpc-status': String(grpcStatusOf(error)),
    'grpc-message': grpcMessage(`${error.message} (${error.code}, request ${requestId})`),
    'x-request-id': requestId,
  };
  if (error.status === 503) headers['retry-after'] = 1;
  if (extra !== undefined) Object.assign(headers, extra);
  const stream = (res as unknown as { stream?: ServerHttp2Stream }).stream;
  if (stream !== undefined) {
    if (!stream.destroyed && !stream.headersSent) stream.respond({ ':status': 200, ...headers }, { endStream: true });
    return;
  }
  res.writeHead(200, headers);
  res.end();
}

/** A grpc-message value: percent-encoded outside printable ASCII, and '%' itself, as the gRPC spec asks. */
export function grpcMessage(text: string): string {
  return text.replace(/[^\x20-\x24\x26-\x7e]/gu, (char) => encodeURIComponent(char));
}

const TIMEOUT_UNITS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

/** grpc-timeout ("100m", "5S", at most 8 digits and a unit) in milliseconds, at least 1; undefined when absent or malformed. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (match === null) return undefined;
  return Math.max(1, Math.ceil(Number(match[1]) * TIMEOUT_UNITS[match[2]!]!));
}
