// Active checks of a `protocol: grpc` pool: grpc.health.v1.Health/Check for a configured service name
// (healthCheck.grpcService, "" = the whole server); SERVING is up, anything else down with the status as the reason.
// Built on @grpc/grpc-js, one kept-open channel per backend, h2c for http:// backends and TLS for https://.
// Why grpc-js rather than a hand-made call over node:http2: a probe costs one HTTP/2 stream on an open
// connection either way, and grpc-js does the message framing, trailers and status codes that we would
// otherwise parse by hand (the team's rule: no hand-written parsers on the wire).
import { credentials, loadPackageDefinition, Metadata, status, type ChannelCredentials, type Client, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import type { Backend } from '../pool/backend.js';
import type { UpstreamTlsOptions } from '../pool/upstream-tls.js';
import { PACKAGE_ROOT } from '../observability/package-info.js';
import type { ProbeResult } from './active-check.js';

export interface GrpcHealthCheckOptions {
  /** The service name asked about; "" asks about the server as a whole. */
  service: string;
  timeoutMs: number;
  /** The probe interval: a channel that lost its backend tries to reconnect at this pace, not grpc-js's slower backoff. */
  intervalMs: number;
  /** The pool's TLS settings towards https:// backends, as its traffic uses them. */
  tls?: UpstreamTlsOptions | undefined;
}

type CheckMethod = (request: { service: string }, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response?: { status: string }) => void) => void;

// Loaded once at start: the standard health.proto in the repository's proto/ folder.
const Health = (() => {
  const definition = loadSync('grpc/health/v1/health.proto', { includeDirs: [join(PACKAGE_ROOT, 'proto')], enums: String, defaults: true });
  const health = (loadPackageDefinition(definition).grpc as GrpcObject).health as GrpcObject;
  return (health.v1 as GrpcObject).Health as ServiceClientConstructor;
})();

export class GrpcHealthProbe {
  private readonly clients = new Map<string, Client>();
  private readonly credentials: { http: ChannelCredentials; https: ChannelCredentials };

  constructor(private readonly options: GrpcHealthCheckOptions) {
    const tls = options.tls;
    this.credentials = {
      http: credentials.createInsecure(),
      https: credentials.createSsl(tls?.ca ?? null, tls?.key ?? null, tls?.cert ?? null, { rejectUnauthorized: tls?.rejectUnauthorized ?? true }),
    };
  }

  probe(backend: Backend): Promise<ProbeResult> {
    const client = this.client(backend) as unknown as { Check: CheckMethod };
    return new Promise((resolve) => {
      client.Check({ service: this.options.service }, new Metadata(), { deadline: Date.now() + this.options.timeoutMs }, (error, response) => {
        if (error) return resolve({ ok: false, reason: reasonOf(error) });
        const serving = response!.status === 'SERVING';
        resolve({ ok: serving, reason: serving ? 'ok' : `grpc health ${response!.status}` });
      });
    });
  }

  /** Closes a backend's channel once it leaves the pool. */
  forget(backendId: string): void {
    this.clients.get(backendId)?.close();
    this.clients.delete(backendId);
  }

  close(): void {
    for (const id of [...this.clients.keys()]) this.forget(id);
  }

  private client(backend: Backend): Client {
    let client = this.clients.get(backend.id);
    if (client === undefined) {
      const url = new URL(backend.origin);
      const secure = url.protocol === 'https:';
      const servername = this.options.tls?.servername;
      client = new Health(url.host, secure ? this.credentials.https : this.credentials.http, {
        'grpc.initial_reconnect_backoff_ms': this.options.intervalMs,
        'grpc.max_reconnect_backoff_ms': this.options.intervalMs,
        // A probe goes to this backend only, never through a resolver's list or grpc-js's own retries.
        'grpc.enable_retries': 0,
        ...(secure && servername !== undefined ? { 'grpc.ssl_target_name_override': servername, 'grpc.default_authority': servername } : {}),
      });
      this.clients.set(backend.id, client);
    }
    return client;
  }
}

/** Names a failed probe the way /pool and the log show it: the gRPC status, and its words when they say more. */
function reasonOf(error: ServiceError): string {
  if (error.code === status.DEADLINE_EXCEEDED) return 'timeout';
  if (error.code === status.UNIMPLEMENTED) return 'grpc health service not implemented';
  if (error.code === status.NOT_FOUND) return `grpc health: service unknown to the backend`;
  // grpc-js ends connection errors with an empty "Resolution note:" (the address was given, never resolved).
  return `grpc ${status[error.code] ?? error.code}: ${error.details.replace(/\.? Resolution note: *$/, '')}`;
}
