// The TLS listener: HTTPS in front of the same request handler as the cleartext traffic listener, speaking
// HTTP/2 and HTTP/1.1 by ALPN (node:http2 with allowHTTP1), or HTTP/1.1 alone when http2 is off.
// Certificates come from the store per handshake (SNI); versions below tls.minVersion are refused; only
// forward-secret AEAD cipher suites are offered (CIPHERS); session resumption uses Node's default session tickets.
import type { IncomingMessage, ServerOptions as HttpOptions, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerOptions as Http2Options } from 'node:http2';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { http2Handler } from '../proxy/h2-request.js';
import { Http2Sessions } from '../proxy/http2-sessions.js';
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
  /** Offer h2 by ALPN with these session options; undefined: HTTP/1.1 only. */
  http2: Http2Options | undefined;
  /** A client must finish its handshake within this (Node's default, 120 s, lets idle sockets pile up). */
  handshakeTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export interface TlsListener {
  readonly server: Server | Http2SecureServer;
  /**
   * The server as its HTTP/1.1 connections see it: with allowHTTP1 Node serves them with http.Server's own code
   * ('upgrade' events, closeIdleConnections included), so WebSocket tunnels attach here.
   */
  readonly http1: Server;
  /** reusePort: a socket of this process's own (SO_REUSEPORT), not node:cluster's shared one. */
  listen(host: string, port: number, reusePort?: boolean): Promise<AddressInfo>;
  /** Still accepting, but keep-alive clients are sent elsewhere: Connection: close on HTTP/1.1, GOAWAY in answer to the next request on HTTP/2. */
  handOff(): void;
  /** Every response from now on closes its connection; then stops accepting and waits for in-flight requests. */
  close(): Promise<void>;
}

export function createTlsListener(handle: (req: IncomingMessage, res: ServerResponse) => void, options: TlsListenerOptions): TlsListener {
  const { store } = options;
  const hsts = options.hstsMaxAge > 0 ? `max-age=${options.hstsMaxAge}` : undefined;
  let closing = false;
  const tls = {
    cert: store.default.cert,
    key: store.default.key,
    minVersion: options.minVersion,
    ciphers: CIPHERS,
    handshakeTimeout: options.handshakeTimeoutMs,
    SNICallback: (servername: string, done: (error: Error | null, context: ReturnType<CertificateStore['select']>) => void) => done(null, store.select(servername)),
  };
  const withHsts = <Res extends { setHeader(name: string, value: string): unknown }>(res: Res): Res => {
    // Merged into the headers the engine writes with writeHead.
    if (hsts !== undefined) res.setHeader('strict-transport-security', hsts);
    return res;
  };
  const onHttp1Request = (req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    handle(req, withHsts(res));
  };
  let server: Server | Http2SecureServer;
  let sessions: Http2Sessions | undefined;
  if (options.http2 === undefined) {
    server = createServer({ ...options.http, ...tls }, onHttp1Request);
    server.keepAliveTimeout = options.keepAliveTimeoutMs;
    server.requestTimeout = 0;
  } else {
    const onHttp2Request = http2Handler(handle);
    // With allowHTTP1 the 'request' event brings either kind; an HTTP/2 connection is closed by its GOAWAY
    // (Http2Sessions), not per response.
    server = createSecureServer({ ...options.http2, ...tls, allowHTTP1: true }, (req, res) => {
      if (req.httpVersionMajor === 2) onHttp2Request(req, withHsts(res));
      else onHttp1Request(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    });
    http1Fallback(server, options.http, options.keepAliveTimeoutMs);
    sessions = new Http2Sessions(server, options.keepAliveTimeoutMs);
  }
  const listening = server;
  const http1 = server as Server;
  return {
    server,
    http1,
    listen: (host, port, reusePort = false) => new Promise((resolve, reject) => {
      listening.once('error', reject);
      listening.listen({ port, host, reusePort }, () => {
        listening.off('error', reject);
        resolve(listening.address() as AddressInfo);
      });
    }),
    handOff() {
      closing = true;
      sessions?.handOff();
    },
    async close() {
      closing = true;
      sessions?.closeAll();
      const sweeper = setInterval(() => http1.closeIdleConnections(), IDLE_SWEEP_MS);
      try {
        await new Promise<void>((resolve) => listening.close(() => resolve()));
      } finally {
        clearInterval(sweeper);
      }
    },
  };
}

/**
 * An HTTP/2 server hands HTTP/1.1 connections to Node's HTTP/1.1 server code, which reads its limits from
 * properties an https server sets from its options; set them here from the same options, so an HTTP/1.1 client
 * meets the same header size, timeouts and Host requirement on either kind of server.
 */
function http1Fallback(server: Http2SecureServer, http: HttpOptions, keepAliveTimeoutMs: number): void {
  Object.assign(server, {
    keepAliveTimeout: keepAliveTimeoutMs,
    requestTimeout: 0,
    maxHeaderSize: http.maxHeaderSize,
    headersTimeout: http.headersTimeout,
    connectionsCheckingInterval: http.connectionsCheckingInterval,
    requireHostHeader: true,
  });
}
