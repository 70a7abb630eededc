// A pool's TLS settings towards its https:// backends, read from their files once: the CA that verifies them,
// the client certificate for mTLS, the server name sent as SNI. OpenSSL checks the material when it is loaded,
// so a bad file is a config error naming its key, never a failed handshake at the first request.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export interface UpstreamTlsFiles {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  servername?: string | undefined;
  rejectUnauthorized: boolean;
}

/** What node:tls connect() takes (undici passes it through), file contents in place of paths. */
export interface UpstreamTlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  rejectUnauthorized: boolean;
}

/** A TLS file that cannot serve; key is the setting at fault (ca, cert or key), for the config error's path; the message follows the file's path. */
export class UpstreamTlsError extends Error {
  constructor(
    readonly key: 'ca' | 'cert' | 'key',
    message: string,
  ) {
    super(message);
  }
}

export function loadUpstreamTls(files: UpstreamTlsFiles): UpstreamTlsOptions {
  const options: UpstreamTlsOptions = { rejectUnauthorized: files.rejectUnauthorized };
  if (files.servername !== undefined) options.servername = files.servername;
  if (files.ca !== undefined) {
    options.ca = read(files.ca, 'ca');
    try {
      new X509Certificate(options.ca);
    } catch (error) {
      throw new UpstreamTlsError('ca', `is not a PEM certificate (${(error as Error).message})`);
    }
  }
  if (files.cert !== undefined && files.key !== undefined) {
    options.cert = read(files.cert, 'cert');
    options.key = read(files.key, 'key');
    try {
      new X509Certificate(options.cert);
    } catch (error) {
      throw new UpstreamTlsError('cert', `is not a PEM certificate (${(error as Error).message})`);
    }
    try {
      // The same check a handshake would make: the key parses and belongs to the certificate.
      createSecureContext({ cert: options.cert, key: options.key });
    } catch (error) {
      throw new UpstreamTlsError('key', `does not load with the certificate ${files.cert} (${(error as Error).message})`);
    }
  }
  return options;
}

function read(path: string, key: 'ca' | 'cert' | 'key'): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UpstreamTlsError(key, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
