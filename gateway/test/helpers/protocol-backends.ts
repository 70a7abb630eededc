// Backends that speak what the demo backend does not: HTTPS (optionally asking for a client certificate), HTTP/2
// over TLS and h2c, built on node:https and node:http2. They answer like the demo backend (GET /health, GET
// /hello → World, x-backend-id) and record what each request arrived over: HTTP version, SNI, connections.
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, createServer as createH2cServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { TestCertificate } from './tls-certs.js';

export type BackendProtocol = 'https' | 'h2' | 'h2c';

export interface ProtocolBackendOptions {
  /** Server certificate (https, h2). */
  certificate?: TestCertificate;
  /** A CA file whose certificates a client must present (mTLS). */
  clientCa?: string;
  /** Milliseconds /slow waits before answering. */
  slowMs?: number;
}

export interface SeenRequest {
  httpVersion: string;
  servername: string | false | null | undefined;
  /** A client certificate's subject CN, when one was presented. */
  clientCn: string | string[] | undefined;
  path: string;
}

export interface ProtocolBackend {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** TCP connections accepted (HTTP/2 multiplexes many requests over one). */
  readonly connections: number;
  /** Requests in progress at once, at most. */
  readonly peakConcurrent: number;
  /** Requests in progress at once on one connection (one HTTP/2 session), at most. */
  readonly peakPerConnection: number;
  close(): Promise<void>;
}

export async function startProtocolBackend(id: string, protocol: BackendProtocol, options: ProtocolBackendOptions = {}): Promise<ProtocolBackend> {
  const seen: SeenRequest[] = [];
  let connections = 0;
  let concurrent = 0;
  let peakConcurrent = 0;
  let peakPerConnection = 0;
  const perConnection = new WeakMap<object, number>();
  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    seen.push({ httpVersion: req.httpVersion, servername: socket.servername, clientCn: peer?.subject?.CN, path: req.url ?? '' });
    const connection: object = (req as Http2ServerRequest).stream?.session ?? req.socket;
    const onConnection = (perConnection.get(connection) ?? 0) + 1;
    perConnection.set(connection, onConnection);
    concurrent += 1;
    peakConcurrent = Math.max(peakConcurrent, concurrent);
    peakPerConnection = Math.max(peakPerConnection, onConnection);
    const answer = () => {
      concurrent -= 1;
      perConnection.set(connection, perConnection.get(connection)! - 1);
      res.setHeader('x-backend-id', id);
      res.setHeader('content-type', 'text/plain');
      res.end(req.url === '/health' ? 'ok' : 'World');
    };
    req.resume();
    if (req.url === '/slow') setTimeout(answer, options.slowMs ?? 200);
    else answer();
  };
  const tls = options.certificate && {
    cert: readFileSync(options.certificate.cert),
    key: readFileSync(options.certificate.key),
    ...(options.clientCa && { ca: readFileSync(options.clientCa), requestCert: true, rejectUnauthorized: true }),
  };
  let server: Server;
  if (protocol === 'https') server = createHttpsServer(tls!, handle);
  else if (protocol === 'h2') server = createSecureServer(tls!, handle);
  else server = createH2cServer(handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on(protocol === 'h2c' ? 'connection' : 'secureConnection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${protocol === 'h2c' ? 'http' : 'https'}://127.0.0.1:${port}`,
    seen,
    get connections() {
      return connections;
    },
    get peakConcurrent() {
      return peakConcurrent;
    },
    get peakPerConnection() {
      return peakPerConnection;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections and HTTP/2 sessions would hold the server open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}
