// An HTTP/2 request presented to the proxy handler as the HTTP/1.1 request it stands for. Node's compatibility
// API already gives method, url (:path) and the body as a stream; its raw header list still carries the
// pseudo-headers and lacks Host. Rewritten in place once per stream, so route matching, forwarding and the
// access log read one shape whatever the client spoke.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/**
 * The proxy handler as a handler of HTTP/2 streams. The compatibility API's request and response stand in for
 * IncomingMessage and ServerResponse: the proxy uses only what both offer (method, url, rawHeaders, socket,
 * complete, the body stream; writeHead with a flat list, write/drain, end, destroy, addTrailers, 'close').
 */
export function http2Handler(handle: (req: IncomingMessage, res: ServerResponse) => void): (req: Http2ServerRequest, res: Http2ServerResponse) => void {
  return (req, res) => {
    presentAsHttp1(req);
    handle(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  };
}

/**
 * - `:authority` becomes Host (RFC 9113 §8.3.1: it stands for Host, and wins over a Host field that differs, so
 *   routing and the backend see the same name); the other pseudo-headers go (method and path are req.method/url).
 * - Cookie fields, which HTTP/2 may split, are joined with "; " (RFC 9113 §8.2.3): HTTP/1.1 allows one.
 * - A body with no content-length (gRPC, h2load, curl -T) is marked Transfer-Encoding: chunked, what an
 *   HTTP/1.1 client would have sent, so the proxy streams it; the header itself is hop-by-hop and not forwarded.
 */
export function presentAsHttp1(req: Http2ServerRequest): void {
  const raw = req.rawHeaders;
  let authority: string | undefined;
  let host: string | undefined;
  let cookie: string | undefined;
  let sized = false;
  let kept = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    // HTTP/2 field names are lower-case (Node refuses others), so plain comparisons suffice.
    if (name.charCodeAt(0) === 58 /* ':' */) {
      if (name === ':authority') authority = value;
      continue;
    }
    if (name === 'host') {
      host ??= value;
      continue;
    }
    if (name === 'cookie') {
      cookie = cookie === undefined ? value : `${cookie}; ${value}`;
      continue;
    }
    if (name === 'content-length') sized = true;
    raw[kept++] = name;
    raw[kept++] = value;
  }
  raw.length = kept;
  const hostValue = authority ?? host;
  if (hostValue !== undefined) raw.push('host', hostValue);
  if (cookie !== undefined) raw.push('cookie', cookie);
  if (!sized && !req.stream.endAfterHeaders) raw.push('transfer-encoding', 'chunked');
}
