// Every error the gateway answers itself: a stable code, its HTTP status and a message for humans.
// Transport failures from undici are mapped to these in one place, so the proxy never invents a status.
import type { ServerResponse } from 'node:http';

export interface GatewayError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

const define = (code: string, status: number, message: string): GatewayError => Object.freeze({ code, status, message });

export const NO_AVAILABLE_BACKEND = define('no_available_backend', 503, 'no backend is available to take this request; retry shortly');
export const UPSTREAM_UNREACHABLE = define('upstream_unreachable', 502, 'the backend refused or could not be reached');
export const UPSTREAM_TIMEOUT = define('upstream_timeout', 504, 'the backend did not answer in time');
export const UPSTREAM_RESET = define('upstream_reset', 502, 'the backend closed the connection before answering');
export const UPSTREAM_PROTOCOL_ERROR = define('upstream_protocol_error', 502, 'the backend sent a response that is not valid HTTP');
export const UPSTREAM_WENT_DOWN = define('upstream_went_down', 502, 'the backend went down while the request waited for its answer');
export const UPSTREAM_FAILED = define('upstream_failed', 502, 'forwarding to the backend failed');
export const BAD_REQUEST = define('bad_request', 400, 'the request cannot be forwarded as it is');
export const PAYLOAD_TOO_LARGE = define('payload_too_large', 413, 'the request body is over the size limit (limits.maxBodyBytes)');

/** Maps a transport error (undici or Node) to what the client is told. */
export function classifyUpstreamError(error: unknown): GatewayError {
  const { code = '', name } = error as { code?: string; name?: string };
  if (name === 'HTTPParserError') return UPSTREAM_PROTOCOL_ERROR;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return UPSTREAM_UNREACHABLE;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return UPSTREAM_TIMEOUT;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return UPSTREAM_RESET;
    case 'UND_ERR_INVALID_ARG':
      return BAD_REQUEST;
    case 'GATEWAY_RESCUED':
      return UPSTREAM_WENT_DOWN;
    case 'GATEWAY_BODY_TOO_LARGE':
      return PAYLOAD_TOO_LARGE;
    default:
      return code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ? UPSTREAM_PROTOCOL_ERROR : UPSTREAM_FAILED;
  }
}

/** Writes the JSON error body every gateway-made response uses; the request id lets a user find the log line. */
export function sendError(res: ServerResponse, error: GatewayError, requestId: string): void {
  const body = JSON.stringify({ error: error.code, message: error.message, requestId });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    'cache-control': 'no-store',
  };
  if (error.status === 503) headers['retry-after'] = 1;
  // Unread request body bytes would be parsed as the next request on a kept-alive connection.
  if (!res.req.complete) headers.connection = 'close';
  res.writeHead(error.status, headers);
  res.end(body);
}
