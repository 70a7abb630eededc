// The gateway's TLS listener for HAProxy: a second bind on the traffic frontend with every certificate (the first
// the default), ALPN h2 and http/1.1, tls.minVersion and the gateway's ciphers. HAProxy chooses the certificate by
// SNI from each certificate's own names, and reads a key kept apart from its certificate from <cert>.key.
import { protocols, TLS12_CIPHERS, TLS13_SUITES, type RenderedTls } from './tls-listener.js';

/** TLS port of the HAProxy drop-in: the gateway's 8443, as HAProxy's 8091 is the gateway's 8080 plus eleven. */
export const HAPROXY_DEFAULT_TLS_PORT = 8454;

/** The frontend's bind line for TLS, indented as the frontend's other lines. */
export function tlsBind(tls: RenderedTls, port: number): string {
  const crts = tls.certificates.map((certificate) => `crt ${certificate.cert}`).join(' ');
  return `    bind ${tls.host}:${port} ssl ${crts} alpn h2,http/1.1 ssl-min-ver ${protocols(tls)[0]} ciphers ${TLS12_CIPHERS} ciphersuites ${TLS13_SUITES}`;
}

/** What HAProxy needs or cannot do with the certificates, for the file header. */
export function haproxyTlsLines(tls: RenderedTls | undefined): string[] {
  if (tls === undefined) return [];
  const lines: string[] = [];
  const apart = tls.certificates.filter((certificate) => certificate.key !== certificate.cert && certificate.key !== `${certificate.cert}.key`);
  if (apart.length > 0) {
    lines.push('- HAProxy reads a certificate\'s key from the certificate file or from <cert>.key beside it; before starting it, run:');
    lines.push(...apart.map((certificate) => `    ln -sf ${certificate.key} ${certificate.cert}.key`));
  }
  const named = tls.certificates.filter((certificate) => certificate.configuredNames);
  if (named.length > 0) lines.push(`- tls.certificates names (${named.map((certificate) => certificate.names.join(', ')).join(' | ')}): HAProxy chooses by each certificate's own names instead (a crt-list file could say otherwise).`);
  return lines;
}
