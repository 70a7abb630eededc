// The TLS listener: HTTPS (HTTP/1.1) in front of the same request handler as the cleartext traffic listener.
// Certificates come from the store per handshake (SNI); versions below tls.minVersion are refused; only
// forward-secret AEAD cipher suites are offered (CIPHERS); session resumption uses Node's default session tickets.
import type { IncomingMessage, ServerOptions as HttpOptions, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CIPHERS } from './certificate.js';
import type { CertificateStore } from './certificate-store.js';
import type { TlsMinVersion } from '../config-schema-tls.js';

/** Graceful close sweeps idle keep-alive connections this often, as the cleartext listener does. */
const IDLE_SWEEP_MS = 50;

export interface TlsListenerOptions {
  store: CertificateStore;
  minVersion: TlsMinVersion;
  /** Strict-Transport-Security max-age in seconds on every response; 0 sends none. */
  hstsMaxAge: number;
  http: HttpOptions;
  /** A client must finish its handshake within this (Node's default, 120 s, lets idle sockets pile up). */
  handshakeTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export interface TlsListener {
  readonly server: Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Every response from now on closes its connection; then stops accepting and waits for in-flight requests. */
  close(): Promise<void>;
}

export function createTlsListener(handle: (req: IncomingMessage, res: ServerResponse) => void, options: TlsListenerOptions): TlsListener {
  const { store } = options;
  const hsts = options.hstsMaxAge > 0 ? `max-age=${options.hstsMaxAge}` : undefined;
  let closing = false;
  const server = createServer({
    ...options.http,
    cert: store.default.cert,
    key: store.default.key,
    minVersion: options.minVersion,
    ciphers: CIPHERS,
    handshakeTimeout: options.handshakeTimeoutMs,
    SNICallback: (servername, done) => done(null, store.select(servername)),
  }, (req, res) => {
    if (closing) res.shouldKeepAlive = false;
    // Merged into the headers the engine writes with writeHead.
    if (hsts !== undefined) res.setHeader('strict-transport-security', hsts);
    handle(req, res);
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.requestTimeout = 0;
  return {
    server,
    listen: (host, port) => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    }),
    async close() {
      closing = true;
      const sweeper = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      try {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } finally {
        clearInterval(sweeper);
      }
    },
  };
}
