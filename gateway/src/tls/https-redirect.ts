// tls.redirectHttp: the cleartext listener answers every request with 308 to the same URL on the TLS port
// (308, not 301: the method and body are kept). The host comes from the request, its port swapped for the TLS one.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Host header: a name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** tlsPort is read per request: with port 0 the TLS listener's port is known only once it listens. */
export function redirectToHttps(tlsPort: () => number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const port = tlsPort();
    const host = HOST.exec(req.headers.host ?? '')?.[1];
    if (host === undefined) {
      // Anything else could carry a path, credentials or a second host into the Location.
      res.writeHead(400, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"bad_host"}');
      return;
    }
    res.writeHead(308, { location: `https://${host}${port === 443 ? '' : `:${port}`}${req.url ?? '/'}`, 'content-length': '0' }).end();
  };
}
