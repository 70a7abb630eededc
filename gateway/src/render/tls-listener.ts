// The gateway's TLS listener as both renderers write it: host and port, the oldest protocol version, the
// gateway's cipher list, and each certificate with the server names SNI chooses it for (the config's names, or
// the certificate's own DNS names, read from its file). The first certificate is the default.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config.js';
import { certificateNames, CIPHERS } from '../tls/certificate.js';
import { RenderError } from './pool-settings.js';

export interface RenderedCertificate {
  readonly cert: string;
  readonly key: string;
  /** Lower-case exact names and `*.suffix` wildcards (one label), as the gateway matches them. */
  readonly names: readonly string[];
  /** True when the names come from the config rather than from the certificate. */
  readonly configuredNames: boolean;
}

export interface RenderedTls {
  readonly host: string;
  readonly port: number;
  readonly minVersion: GatewayConfig['tls']['minVersion'];
  readonly certificates: readonly RenderedCertificate[];
  readonly hsts: number;
  readonly redirectHttp: boolean;
}

/** TLS 1.3 suites (OpenSSL sets them apart) and the TLS 1.2 ciphers of the gateway's list. */
export const TLS13_SUITES = CIPHERS.split(':').filter((name) => name.startsWith('TLS_')).join(':');
export const TLS12_CIPHERS = CIPHERS.split(':').filter((name) => !name.startsWith('TLS_')).join(':');

export function renderedTls(config: GatewayConfig): RenderedTls | undefined {
  const tls = config.tls;
  if (!tls.enabled) return undefined;
  const certificates = tls.certificates.map((files, index): RenderedCertificate => {
    if (files.names !== undefined) return { cert: files.cert, key: files.key, names: files.names.map((name) => name.toLowerCase()), configuredNames: true };
    let names: string[];
    try {
      names = certificateNames(new X509Certificate(readFileSync(files.cert)));
    } catch (error) {
      throw new RenderError(`tls.certificates.${index}.cert: ${files.cert} cannot be read for its server names (${(error as Error).message}); list them in tls.certificates.${index}.names`);
    }
    return { cert: files.cert, key: files.key, names: names.map((name) => name.toLowerCase()), configuredNames: false };
  });
  return { host: tls.host ?? config.listen.host, port: tls.port, minVersion: tls.minVersion, certificates, hsts: tls.hsts, redirectHttp: tls.redirectHttp };
}

/** The protocol versions from the oldest accepted, in the spelling both targets use. */
export function protocols(tls: RenderedTls): string[] {
  return tls.minVersion === 'TLSv1.2' ? ['TLSv1.2', 'TLSv1.3'] : ['TLSv1.3'];
}

/** The header's line on the TLS listener, beside the cleartext port's. */
export function tlsSummary(tls: RenderedTls | undefined, port: number): string[] {
  if (tls === undefined) return [];
  const names = tls.certificates.map((certificate) => certificate.names.join(', '));
  return [`TLS (ALPN h2 and http/1.1, ${protocols(tls).join(' and ')}) on port ${port}; certificates by SNI: ${names.join(' | ')} (the first is the default).`];
}

/** Header lines both renderers share: what the TLS listener has that neither file does. */
export function tlsLines(tls: RenderedTls | undefined): string[] {
  if (tls === undefined) return [];
  const lines = ['- TLS certificates are read at start and on reload only: the gateway picks up a changed file by itself.'];
  if (tls.redirectHttp) lines.push('- tls.redirectHttp (cleartext answered with a redirect to HTTPS): not rendered; the cleartext port proxies.');
  if (tls.hsts > 0) lines.push(`- tls.hsts (Strict-Transport-Security, max-age ${tls.hsts}): not rendered.`);
  return lines;
}
