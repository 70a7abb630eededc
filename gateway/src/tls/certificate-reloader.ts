// Applies new certificate files to a running TLS listener: on a file change or SIGHUP the store reads them again
// and the server's default context is replaced, so the next handshake uses them; open connections keep the
// context they were made with. A certificate that cannot serve is refused (logged and audited), the old ones stay.
import type { Server } from 'node:tls';
import type { TlsMinVersion } from '../config-schema-tls.js';
import type { AuditLog } from '../observability/audit-log.js';
import type { Logger } from '../observability/logger.js';
import { CertificateError, CIPHERS, type CertificateFiles } from './certificate.js';
import type { CertificateStore } from './certificate-store.js';
import { watchFiles, type FileWatch } from './file-watch.js';

/** A renewal writes the certificate and the key one after the other: wait for both before reading. */
const SETTLE_MS = 200;

export class CertificateReloader {
  private readonly watch: FileWatch;

  constructor(
    private readonly store: CertificateStore,
    private readonly server: Server,
    private readonly minVersion: TlsMinVersion,
    files: readonly CertificateFiles[],
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {
    this.watch = watchFiles(files.flatMap(({ cert, key }) => [cert, key]), () => this.reload('file-watch'), SETTLE_MS);
  }

  /** Reads the files again; true when the listener now serves them, false when they were refused. */
  reload(actor: string): boolean {
    const before = this.store.fingerprints;
    try {
      this.store.reload();
    } catch (error) {
      if (!(error instanceof CertificateError)) throw error;
      this.audit.write({ event: 'tls-reload-failed', actor, reason: error.message });
      this.log.warn({ actor, error: error.message }, `certificate reload refused, the certificates in use stay: ${error.message}`);
      return false;
    }
    const { cert, key } = this.store.default;
    // Keep the session ticket keys, so clients resume their sessions across a certificate swap.
    this.server.setSecureContext({ cert, key, minVersion: this.minVersion, ciphers: CIPHERS, ticketKeys: this.server.getTicketKeys() });
    const after = this.store.fingerprints;
    if (after.join() !== before.join()) {
      this.audit.write({ event: 'tls-reloaded', actor, reason: `certificates ${after.join(', ')}` });
      this.log.info({ actor, fingerprints: after }, 'certificates reloaded: new handshakes use them');
    }
    return true;
  }

  close(): void {
    this.watch.close();
  }
}
