// One certificate of the TLS listener, read from its files and checked: the key must parse and match the
// certificate, which must be current. The server names it answers for come from the config or the certificate.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { TlsMinVersion } from '../config-schema-tls.js';
import { ConfigError } from '../config.js';

export interface CertificateFiles {
  cert: string;
  key: string;
  names?: string[] | undefined;
}

export interface LoadedCertificate {
  /** Lower-case exact names and `*.suffix` wildcards this certificate is chosen for. */
  readonly names: string[];
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly context: SecureContext;
  /** SHA-256 fingerprint, for logs and audit records. */
  readonly fingerprint: string;
}

/**
 * Forward-secret AEAD suites only (Mozilla's "intermediate" list without DHE, which would need DH parameters):
 * Node's default list also allows CBC suites with TLS 1.2, which scanners flag (LUCKY13).
 */
export const CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** A certificate or key that cannot serve; the message starts with the config key it is about (exit 2 at start). */
export class CertificateError extends ConfigError {
  override name = 'CertificateError';
}

/** Reads and checks the files of tls.certificates[index]; throws CertificateError naming the key at fault. */
export function loadCertificate(files: CertificateFiles, index: number, minVersion: TlsMinVersion): LoadedCertificate {
  const at = `tls.certificates.${index}`;
  const cert = readFile(files.cert, `${at}.cert`);
  const key = readFile(files.key, `${at}.key`);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new CertificateError(`${at}.cert: ${files.cert} is not a PEM certificate (${(error as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new CertificateError(`${at}.key: ${files.key} is not an unencrypted PEM private key (${(error as Error).message})`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new CertificateError(`${at}.key: ${files.key} does not match the certificate ${files.cert}`);
  if (Date.parse(x509.validTo) < Date.now()) throw new CertificateError(`${at}.cert: ${files.cert} expired on ${x509.validTo}`);
  const names = (files.names ?? certificateNames(x509)).map((name) => name.toLowerCase());
  if (names.length === 0) throw new CertificateError(`${at}.names: ${files.cert} names no DNS name or CN; list the names it serves`);
  let context: SecureContext;
  try {
    context = createSecureContext({ cert, key, minVersion, ciphers: CIPHERS });
  } catch (error) {
    throw new CertificateError(`${at}.cert: ${files.cert} is refused by OpenSSL (${(error as Error).message})`);
  }
  return { names, cert, key, context, fingerprint: x509.fingerprint256 };
}

/** `gateway check` and start: the certificates must load before anything listens; throws CertificateError. */
export function checkCertificates(tls: { enabled: boolean; certificates: readonly CertificateFiles[]; minVersion: TlsMinVersion }): void {
  if (tls.enabled) tls.certificates.forEach((files, index) => loadCertificate(files, index, tls.minVersion));
}

function readFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CertificateError(`${key}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The subjectAltName DNS names, else the subject's CN (as browsers no longer do, but test certificates often need). */
export function certificateNames(x509: X509Certificate): string[] {
  const dns = (x509.subjectAltName ?? '').split(', ').filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice(4));
  if (dns.length > 0) return dns;
  const cn = /^CN=(.+)$/m.exec(x509.subject)?.[1];
  return cn === undefined ? [] : [cn];
}
