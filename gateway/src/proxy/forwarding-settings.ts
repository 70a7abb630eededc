// What forwarding a request to one pool is given (its settings, built once per pool) and what it reports when
// the request is done (the result the access line and the metrics are made from).
import type { GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { PoolMember } from '../pool/pool-member.js';
import type { UpstreamPool } from '../pool/upstream-pool.js';
import type { RequestKey } from '../routes/request-key.js';
import type { FailureKind } from '../transport-failure.js';
import type { GrpcSettings } from './grpc-call.js';
import type { HedgeDelay } from './hedge-delay.js';
import type { RetryBudget } from './retry-budget.js';
import type { RetryLimits } from './retry-policy.js';

export type HedgeOutcome = 'won' | 'lost' | 'skipped';

/** What every request to one pool shares: the pool, its policies and the observers. Built once per pool. */
export interface ForwardingSettings {
  pool: UpstreamPool;
  limits: RetryLimits;
  budget: RetryBudget;
  /** Statuses that are retried (idempotent, replayable requests) instead of passed on. */
  retryStatuses: ReadonlySet<number>;
  /** Statuses that count as a passive-health failure of the backend. */
  failureStatuses: ReadonlySet<number>;
  /** Request bodies up to this size are buffered, so a retry can send them again. */
  replayableBodyBytes: number;
  /** retry.perTryTimeoutMs for idempotent, replayable requests; 0 for none. */
  perTryTimeoutMs: number;
  /** What consistent hashing keys on (pools with policy consistent-hash); undefined elsewhere. */
  hashKey: RequestKey | undefined;
  /** retry.hedgeAfterMs; undefined when hedging is off. */
  hedgeDelay: HedgeDelay | undefined;
  /** Called for each retry with the kind of failure that caused it (metrics). */
  onRetry?: (kind: FailureKind) => void;
  /** Called when a hedge was sent and its race decided (won: the hedge answered first), or a due hedge was not sent. */
  onHedge?: (outcome: HedgeOutcome) => void;
  /** Called when a request gets 503 backend_busy: the pool's queue was full, or it waited queueTimeoutMs (metrics). */
  onShed?: (reason: 'pending_full' | 'backend_busy') => void;
  /**
   * Set for pools with protocol grpc: gateway errors become gRPC statuses, trailers pass through, grpc-timeout
   * caps each try, and limits.idempotentMethods lists gRPC method paths instead of HTTP methods.
   */
  grpc?: GrpcSettings | undefined;
  /** Warns about failures of unknown cause, naming it: the next bug like undici refusing a header shows at once. */
  log: Logger;
}

export interface ForwardResult {
  /** Status the client got; 0 when the client left, or the connection was cut mid-response. */
  status: number;
  error?: GatewayError;
  /** The transport error behind `error`, "CODE: message", for the access line (never sent to the client). */
  cause?: string;
  /** The backend of the last try, if any try was made. */
  member?: PoolMember;
  tries: number;
  /** Milliseconds from the last try's dispatch to its response headers, when it got that far. */
  upstreamMs?: number;
}
