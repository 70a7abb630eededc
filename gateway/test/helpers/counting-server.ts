// A bare node:http backend whose behaviour a test writes inline; it counts the requests that reached it
// (per path) so a test can prove what was, or was not, sent twice.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface CountingServer {
  url: string;
  server: Server;
  /** Requests that arrived, by method and path, e.g. "POST /hello". */
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

export async function startCountingServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<CountingServer> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    const key = `${req.method} ${req.url}`;
    arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    server,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
