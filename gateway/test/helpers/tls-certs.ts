// Self-signed certificates for TLS tests, made per run with Debian's openssl (never committed): an EC P-256 key
// and a certificate for the given DNS names (the first is the CN), valid for two days unless told.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface TestCertificate {
  cert: string;
  key: string;
}

export function makeCertificate(dir: string, file: string, names: string[], { ips = ['127.0.0.1'], days = 2, extensions = [] as string[] } = {}): TestCertificate {
  const cert = join(dir, `${file}.crt`);
  const key = join(dir, `${file}.key`);
  const san = [...names.map((name) => `DNS:${name}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`, ...extensions.flatMap((extension) => ['-addext', extension]), '-days', String(days), '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

export interface ServerCertificate {
  subject: string;
  /** The PEM the server sent, to compare with a file. */
  pem: string;
}

/** The certificate `openssl s_client` receives for a server name (no SNI when servername is undefined). */
export async function serverCertificate(port: number, servername: string | undefined): Promise<ServerCertificate> {
  const sni = servername === undefined ? ['-noservername'] : ['-servername', servername];
  const { stdout } = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, ...sni]);
  return {
    subject: /^subject=(.*)$/m.exec(stdout)?.[1]?.trim() ?? '',
    pem: /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(stdout)?.[0] ?? '',
  };
}

/**
 * Runs openssl asynchronously (the gateway under test is in this process and must keep serving), with stdin
 * closed at once or, for a client that has to stay connected a while, after stdinOpenMs.
 */
export function openssl(args: string[], stdinOpenMs = 0): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', args, { encoding: 'utf8', timeout: 10_000 }, (error, stdout) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout });
    });
    setTimeout(() => child.stdin!.end(), stdinOpenMs);
  });
}
