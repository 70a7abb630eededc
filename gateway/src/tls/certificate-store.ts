// The TLS listener's certificates, chosen per handshake by SNI: an exact name first, then a wildcard covering
// the name's first label, else the first (default) certificate. A reload reads every file again and swaps the
// whole set in one assignment, or keeps the old set when any certificate fails.
import type { SecureContext } from 'node:tls';
import type { TlsMinVersion } from '../config-schema-tls.js';
import { loadCertificate, type CertificateFiles, type LoadedCertificate } from './certificate.js';

interface CertificateSet {
  readonly all: LoadedCertificate[];
  readonly byName: Map<string, SecureContext>;
}

export class CertificateStore {
  private current: CertificateSet;

  /** Throws CertificateError (naming the config key) when a certificate cannot serve. */
  constructor(private readonly files: readonly CertificateFiles[], private readonly minVersion: TlsMinVersion) {
    this.current = this.load();
  }

  /** The default certificate: for clients without SNI, and what the server's own context is set to. */
  get default(): LoadedCertificate {
    return this.current.all[0]!;
  }

  get fingerprints(): string[] {
    return this.current.all.map((certificate) => certificate.fingerprint);
  }

  /** The context for a handshake's server name; read on every handshake, so a reload applies to the next one. */
  select(servername: string): SecureContext {
    const { byName, all } = this.current;
    const name = servername.toLowerCase();
    const exact = byName.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    return (dot > 0 ? byName.get(`*${name.slice(dot)}`) : undefined) ?? all[0]!.context;
  }

  /** Reads the files again; throws CertificateError and keeps the certificates in use when one fails. */
  reload(): void {
    this.current = this.load();
  }

  private load(): CertificateSet {
    const all = this.files.map((files, index) => loadCertificate(files, index, this.minVersion));
    const byName = new Map<string, SecureContext>();
    // The first certificate listing a name wins, as the first is also the default.
    for (const certificate of all) {
      for (const name of certificate.names) if (!byName.has(name)) byName.set(name, certificate.context);
    }
    return { all, byName };
  }
}
