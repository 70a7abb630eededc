// Rewrites headers at the proxy boundary in one pass over the raw list: hop-by-hop headers (and those the
// Connection header names) are dropped both ways; X-Forwarded-* and X-Request-Id are set on the way in; the
// identity headers (X-Auth-*) are dropped on the way in, on every route: only the gateway's auth sets them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { IDENTITY_HEADER_PREFIX } from '../edge/auth/identity.js';

/**
 * RFC 9110 §7.6.1 connection-specific headers, plus the legacy ones proxies still see and HTTP2-Settings (an h2c
 * upgrade's). Node's http2 refuses to send any of them in a response, so none may reach an HTTP/2 client.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'http2-settings']);

/** A Connection value that only says whether to keep the connection open names no header to drop. */
const PERSISTENCE_ONLY = /^(?:keep-alive|close)$/i;

/** A request id from the client is kept when it is a plain token; anything else is replaced, never echoed. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export interface UpstreamRequestHeaders {
  /** Flat [name, value, name, value…] list, as undici and Node take it. */
  headers: string[];
  requestId: string;
  /** Whether the client sends a body (Content-Length > 0 or Transfer-Encoding), so the proxy forwards one. */
  hasBody: boolean;
  /** Declared body size; undefined for chunked bodies. */
  contentLength: number | undefined;
}

export function upstreamRequestHeaders(req: IncomingMessage, proto: string): UpstreamRequestHeaders {
  const raw = req.rawHeaders;
  const dropped = connectionNamedHeaders(raw);
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  let requestId: string | undefined;
  let host = '';
  let hasBody = false;
  let contentLength: number | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    switch (lower) {
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case 'x-request-id':
        if (requestId === undefined && SANE_REQUEST_ID.test(value)) requestId = value;
        continue;
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
        continue; // set below from what this hop saw; a client cannot choose them
      case 'expect':
        // Node's server already answered it (100 Continue, or 417 for any other expectation): this hop reads
        // the body and decides, as nginx and HAProxy do; undici would refuse to send the header anyway.
        continue;
      case 'host':
        host = value;
        break;
      case 'content-length':
        // Node's parser already rejected malformed or conflicting values with 400.
        contentLength = Number(value);
        if (contentLength > 0) hasBody = true;
        break;
      case 'transfer-encoding':
        hasBody = true;
        contentLength = undefined;
        continue;
      case 'te':
        // "trailers" says the client reads trailers (gRPC needs it end to end); codings are this hop's business.
        if (value.toLowerCase() === 'trailers') headers.push(name, value);
        continue;
    }
    if (HOP_BY_HOP.has(lower) || dropped?.has(lower)) continue;
    // A backend behind an authenticated route trusts these; a client must not be able to send its own.
    if (lower.startsWith(IDENTITY_HEADER_PREFIX)) continue;
    headers.push(name, value);
  }
  const client = req.socket.remoteAddress ?? 'unknown';
  requestId ??= randomUUID();
  headers.push(
    'x-forwarded-for', forwardedFor === undefined ? client : `${forwardedFor}, ${client}`,
    'x-forwarded-proto', proto,
    'x-forwarded-host', host,
    'x-request-id', requestId,
  );
  return { headers, requestId, hasBody, contentLength };
}

/** What the client spoke to this hop: a request that arrived on the TLS listener has a TLS socket. */
export function clientProto(req: IncomingMessage): 'https' | 'http' {
  return (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
}

/** The backend's response headers as a flat string list for writeHead, hop-by-hop headers removed. */
export function downstreamResponseHeaders(raw: Buffer[]): string[] {
  let dropped: Set<string> | undefined;
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'connection') dropped = addTokens(dropped, raw[i + 1]!.toString('latin1'));
    if (!HOP_BY_HOP.has(lower)) headers.push(name, raw[i + 1]!.toString('latin1'));
  }
  // Rare: Connection named a header, possibly one already copied above.
  return dropped === undefined ? headers : withoutNamed(headers, dropped);
}

function withoutNamed(headers: string[], names: Set<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!names.has(headers[i]!.toLowerCase())) kept.push(headers[i]!, headers[i + 1]!);
  }
  return kept;
}

function connectionNamedHeaders(raw: string[]): Set<string> | undefined {
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') named = addTokens(named, raw[i + 1]!);
  }
  return named;
}

/** Adds the header names a Connection value lists; the common bare "keep-alive" or "close" allocates nothing. */
function addTokens(set: Set<string> | undefined, value: string): Set<string> | undefined {
  if (value.length <= 10 && PERSISTENCE_ONLY.test(value)) return set;
  let tokens = set;
  for (const token of value.split(',')) {
    const trimmed = token.trim().toLowerCase();
    if (trimmed !== '' && trimmed !== 'close' && trimmed !== 'keep-alive') (tokens ??= new Set<string>()).add(trimmed);
  }
  return tokens;
}
