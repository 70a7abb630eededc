// TLS termination as one unit for buildGateway: the certificate store, the HTTPS listener, certificate reloads
// (file watch, SIGHUP) and, when configured, the cleartext listener's redirect to it.
import type { IncomingMessage, ServerOptions as HttpOptions, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config.js';
import type { AuditLog } from '../observability/audit-log.js';
import type { Logger } from '../observability/logger.js';
import { http2ServerOptions } from '../proxy/http2-options.js';
import { CertificateReloader } from './certificate-reloader.js';
import { CertificateStore } from './certificate-store.js';
import { redirectToHttps } from './https-redirect.js';
import { createTlsListener, type TlsListener } from './tls-listener.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class TlsFront {
  readonly listener: TlsListener;
  /** What the cleartext listener serves instead of proxying, when tls.redirectHttp is set. */
  readonly redirect: Handler | undefined;
  private readonly reloader: CertificateReloader;
  private port: number;
  private readonly alpn: string[];

  /** Throws CertificateError (naming the config key) when a certificate cannot serve. */
  constructor(private readonly config: GatewayConfig, handle: Handler, http: HttpOptions, audit: AuditLog, private readonly log: Logger) {
    const { tls } = config;
    const store = new CertificateStore(tls.certificates, tls.minVersion);
    // HTTP/2 streams reach the raw request handler only, not the reply-from engine's Fastify route.
    const http2 = config.http2.enabled && config.proxy.engine === 'undici' ? http2ServerOptions(config.http2) : undefined;
    this.alpn = http2 === undefined ? ['http/1.1'] : ['h2', 'http/1.1'];
    this.listener = createTlsListener(handle, { store, minVersion: tls.minVersion, hstsMaxAge: tls.hsts, http, http2, handshakeTimeoutMs: config.limits.clientHeadersTimeoutMs, keepAliveTimeoutMs: config.limits.clientKeepAliveTimeoutMs });
    this.reloader = new CertificateReloader(store, this.listener.server, tls.minVersion, tls.certificates, audit, log);
    this.port = tls.port;
    this.redirect = tls.redirectHttp ? redirectToHttps(() => this.port) : undefined;
  }

  async listen(reusePort = false): Promise<AddressInfo> {
    const address = await this.listener.listen(this.config.tls.host ?? this.config.listen.host, this.config.tls.port, reusePort);
    this.port = address.port;
    this.log.info({ host: address.address, port: address.port, alpn: this.alpn, minVersion: this.config.tls.minVersion, redirectHttp: this.config.tls.redirectHttp }, 'tls listening');
    return address;
  }

  /** Reads the certificate files again (SIGHUP, POST /config/reload); a bad one is refused and the old ones stay. */
  reload(actor: string): boolean {
    return this.reloader.reload(actor);
  }

  /** A draining worker's hand-off: see TlsListener.handOff. */
  handOff(): void {
    this.listener.handOff();
  }

  async close(): Promise<void> {
    this.reloader.close();
    await this.listener.close();
  }
}
