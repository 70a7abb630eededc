// Which half of a multi-process gateway buildGateway composes: the primary (admin, discovery, health checks,
// audit; its workers serve the traffic) or a traffic worker (listeners and proxy; pool state from the primary).
// Without a role one process does everything, as it always did.
import type { WorkerControl } from '../admin/workers-routes.js';
import type { Backend } from '../pool/backend.js';

/** Where traffic is served: the cleartext listener, the TLS one when tls.enabled, the h2c one when http2.h2cPort. */
export interface TrafficAddresses {
  host: string;
  port: number;
  tls?: { host: string; port: number };
  h2c?: { host: string; port: number };
}

export interface PrimaryRole {
  kind: 'primary';
  /** Starts the traffic workers (instead of listening itself) and resolves with where they serve. */
  listenWorkers(): Promise<TrafficAddresses>;
  /** What POST /workers/restart and GET /workers act on. */
  workers: WorkerControl;
}

export interface WorkerRole {
  kind: 'worker';
  /** A passive failure seen by this worker's traffic, for the primary to count (it decides ejections). */
  reportFailureTo(backend: Backend, reason: string): void;
}

export type GatewayRole = PrimaryRole | WorkerRole;
