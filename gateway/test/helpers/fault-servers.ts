// Backends that misbehave on purpose, written with node:http and node:net so a test controls the fault exactly:
// one that answers and counts what arrived, one that resets after reading the request, one whose requests hang,
// one that closes a kept-alive connection when a second request arrives on it, and one that is frozen (accepts connections, never answers anything, not even /health).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';

/**
 * answer: /hello answers World; reset: health answers, every other request is read and then cut; hang: health
 * answers, the rest never do; close-reused: answers the first request of each connection (keep-alive), and
 * closes the connection without an answer when another request arrives on it (the keep-alive race, every time).
 */
export type ScriptedBehaviour = 'answer' | 'reset' | 'hang' | 'close-reused';

export interface FaultServer {
  readonly id: string;
  readonly url: string;
  /** Requests that reached this server, other than health probes, keyed by "METHOD /path". */
  readonly arrivals: Map<string, number>;
  stop(): Promise<void>;
}

export async function startScriptedBackend(id: string, behaviour: ScriptedBehaviour): Promise<FaultServer> {
  const arrivals = new Map<string, number>();
  const served = new WeakSet<Socket>();
  const server = createHttpServer((req, res) => {
    res.setHeader('x-backend-id', id);
    if (behaviour === 'close-reused') {
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
    }
    if (req.url === '/health') {
      res.end('{"status":"ok"}');
      return;
    }
    const key = `${req.method} ${req.url}`;
    arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
    if (behaviour === 'hang') return; // the socket stays open until the proxy gives up or the server stops
    req.resume();
    req.once('end', () => (behaviour === 'reset' ? req.socket.destroy() : answer(req, res)));
  });
  return listening(id, server, arrivals);
}

/** A backend that accepts TCP connections and never sends a byte, like a process stopped with SIGSTOP. */
export async function startFrozenBackend(id: string): Promise<FaultServer> {
  const arrivals = new Map<string, number>();
  const server = createTcpServer((socket) => {
    socket.on('error', () => {});
    arrivals.set('connection', (arrivals.get('connection') ?? 0) + 1);
  });
  return listening(id, server, arrivals);
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/hello') {
    res.setHeader('content-type', 'text/plain');
    res.end('World');
  } else {
    res.statusCode = 404;
    res.end();
  }
}

async function listening(id: string, server: Server, arrivals: Map<string, number>): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    id,
    url: `http://127.0.0.1:${port}`,
    arrivals,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sum of the arrivals of one kind ("POST /hello") over several servers. */
export function arrivalsOf(servers: readonly FaultServer[], key: string): number {
  return servers.reduce((sum, server) => sum + (server.arrivals.get(key) ?? 0), 0);
}
