// The floor of a Node reverse proxy, as a bench target ('node-floor'): node:http in front, undici dispatch()
// behind, round-robin over the backends, and nothing else: no health checks, retries, metrics, request ids
// or X-Forwarded-* headers. What the gateway costs beyond it is what its features cost; what this costs
// over nginx is what Node's HTTP server and client cost. Not a product: it answers 502 for any failure.
// Usage: node dist/bench/node-floor-proxy.js PORT ORIGIN[,ORIGIN...]
import { createServer, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const [port, origins] = process.argv.slice(2);
if (!port || !origins) {
  process.stderr.write('usage: node-floor-proxy PORT ORIGIN[,ORIGIN...]\n');
  process.exit(2);
}
// As the gateway's pools: keep-alive, no pipelining, enough sockets for the bench's connections.
const pools = origins.split(',').map((origin) => new Pool(origin, { connections: 128, pipelining: 1 }));
let next = 0;

/** Response headers without the hop-by-hop ones Node sets itself on the client's connection. */
function responseHeaders(raw: Buffer[]): string[] {
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower !== 'connection' && lower !== 'keep-alive' && lower !== 'transfer-encoding') headers.push(name, raw[i + 1]!.toString('latin1'));
  }
  return headers;
}

function handler(res: ServerResponse): Dispatcher.DispatchHandler {
  let resume: () => void;
  return {
    onConnect() {},
    onHeaders(status, raw, resumeUpstream) {
      resume = resumeUpstream;
      res.writeHead(status, responseHeaders(raw));
      return true;
    },
    onData(chunk) {
      if (res.write(chunk)) return true;
      res.once('drain', resume); // a slow client pauses the backend instead of buffering its body
      return false;
    },
    onComplete: () => res.end(),
    onError() {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  };
}

const server = createServer((req, res) => {
  const pool = pools[next++ % pools.length]!;
  // GET-only bench traffic: the request body, if any, is not forwarded.
  pool.dispatch({ path: req.url!, method: req.method!, headers: req.rawHeaders }, handler(res));
});
server.keepAliveTimeout = 5_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`node-floor listening on ${port}\n`));
process.once('SIGTERM', () => {
  server.close();
  void Promise.all(pools.map((pool) => pool.close())).then(() => process.exit(0));
  server.closeAllConnections();
});
