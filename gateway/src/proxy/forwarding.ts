// One client request on its way through the pool: picks a backend, dispatches a try, and on failure asks
// the retry policy whether the next candidate may get it. Streams the chosen response to the client.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { NO_AVAILABLE_BACKEND, sendError, type GatewayError } from '../errors.js';
import type { LoadBalancer } from '../load-balancer.js';
import type { Logger } from '../observability/logger.js';
import type { PoolMember } from '../pool-member.js';
import { Attempt } from './attempt.js';
import { downstreamResponseHeaders } from './forwarded-headers.js';
import type { PreparedBody } from './request-body.js';
import type { RetryBudget } from './retry-budget.js';
import { classifyTransportFailure, type FailureKind, type TransportFailure } from '../transport-failure.js';
import { shouldRetry, type RetryLimits } from './retry-policy.js';
import type { UpstreamPools } from './upstream-pool.js';

/** What every request shares: the pool, the policies and the observers. Built once at start-up. */
export interface ForwardingSettings {
  loadBalancer: LoadBalancer;
  pools: UpstreamPools;
  limits: RetryLimits;
  budget: RetryBudget;
  /** Statuses that are retried (idempotent, replayable requests) instead of passed on. */
  retryStatuses: ReadonlySet<number>;
  /** Statuses that count as a passive-health failure of the backend. */
  failureStatuses: ReadonlySet<number>;
  /** Called for each retry with the kind of failure that caused it (metrics). */
  onRetry?: (kind: FailureKind) => void;
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

export class Forwarding {
  private tries = 0;
  private tried: Set<string> | undefined;
  private lastFailure: TransportFailure | undefined;
  private responseStarted = false;
  private finished = false;
  private current: Attempt | undefined;
  private resumeUpstream: (() => void) | undefined;
  /** Resumes the backend once the client drains; made on first need, as most responses never fill the socket. */
  private resumeOnDrain: (() => void) | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly settings: ForwardingSettings,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly headers: string[],
    private readonly requestId: string,
    private readonly body: PreparedBody,
    private readonly done: (result: ForwardResult) => void,
  ) {
    res.once('close', this.onClientClose);
  }

  start(): void {
    const member = this.settings.loadBalancer.pick(this.tried);
    if (member === undefined) {
      // After failed tries, name the last backend tried: the access line and the metrics count the 502 against it.
      this.fail(this.lastFailure?.clientError ?? NO_AVAILABLE_BACKEND, this.current?.member);
      return;
    }
    this.tries += 1;
    const attempt = new Attempt(this, member);
    this.current = attempt;
    // A request undici will not send (an invalid header value…) comes back through attempt.onError at once,
    // classified as 'rejected': nothing went out, and no backend is blamed for it.
    this.settings.pools.get(member.backend).dispatch({ path: this.req.url!, method: this.req.method!, headers: this.headers, body: this.body.body }, attempt);
  }

  /** Whether a try waiting on a backend that went away may be aborted and sent elsewhere. */
  canMoveElsewhere(): boolean {
    return !this.responseStarted && this.body.replayable && this.settings.limits.idempotentMethods.has(this.req.method!);
  }

  onResponseHeaders(attempt: Attempt, status: number, rawHeaders: Buffer[], resume: () => void): void {
    if (this.settings.failureStatuses.has(status)) this.settings.loadBalancer.reportFailure(attempt.member, `status ${status}`);
    if (this.settings.retryStatuses.has(status) && this.mayRetry('status', attempt)) {
      attempt.discarding = true;
      return;
    }
    this.responseStarted = true;
    this.resumeUpstream = resume;
    this.res.writeHead(status, downstreamResponseHeaders(rawHeaders));
  }

  /**
   * false pauses the backend's socket until the client drains: a slow client never buffers a whole body.
   * undici sends no more data after a false until resumed, so one 'drain' listener is waiting at a time.
   */
  writeBody(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.resumeOnDrain ??= () => this.resumeUpstream!();
    this.res.once('drain', this.resumeOnDrain);
    return false;
  }

  onAttemptComplete(attempt: Attempt): void {
    if (attempt.discarding) {
      this.retryAfter(attempt);
      return;
    }
    attempt.member.served += 1;
    this.res.end();
    this.finish({ status: attempt.status, member: attempt.member, tries: this.tries, upstreamMs: attempt.headersAfterMs });
  }

  onAttemptError(attempt: Attempt, error: Error): void {
    if (this.finished) return;
    const failure = classifyTransportFailure(error, attempt.sent);
    if (failure.blamesBackend) this.settings.loadBalancer.reportFailure(attempt.member, failure.reason);
    if (failure.reason === 'unknown') this.warnUnexplained(failure, attempt);
    this.lastFailure = failure;
    if (this.responseStarted) {
      // Headers already went out: the only honest signal left is cutting the connection.
      this.res.destroy();
      this.finish({ status: 0, error: failure.clientError, cause: failure.cause, member: attempt.member, tries: this.tries });
      return;
    }
    if (this.mayRetry(failure.kind, attempt)) {
      this.retryAfter(attempt);
      return;
    }
    this.fail(failure.clientError, attempt.member);
  }

  private warnUnexplained(failure: TransportFailure, attempt: Attempt): void {
    this.settings.log.warn(
      { backend: attempt.member.id, requestId: this.requestId, method: this.req.method, path: this.req.url, sent: attempt.sent, cause: failure.cause },
      `forwarding to ${attempt.member.id} failed for a cause the gateway does not know: ${failure.cause}`,
    );
  }

  /** Asks the policy, then whether an untried backend is left, then the budget: a retry counted is a retry made. */
  private mayRetry(kind: FailureKind, failed: Attempt): boolean {
    // A streamed body that a failed try began to read cannot be sent again, whatever the method.
    if (this.body.body instanceof Transform && this.body.body.destroyed) return false;
    const verdict = shouldRetry(
      { kind, method: this.req.method!, replayable: this.body.replayable, tries: this.tries, elapsedMs: Date.now() - this.startedAt, responseStarted: this.responseStarted },
      this.settings.limits,
    );
    if (!verdict.retry) return false;
    // With nowhere else to go, a retryable status is passed on as it is, and a failure answered at once.
    const tried = new Set(this.tried).add(failed.member.id);
    if (!this.settings.loadBalancer.hasUntried(tried) || !this.settings.budget.tryAcquire()) return false;
    this.settings.onRetry?.(kind);
    return true;
  }

  /** Tries the next candidate; the last failure is what the client gets if no candidate is left. */
  private retryAfter(attempt: Attempt): void {
    (this.tried ??= new Set()).add(attempt.member.id);
    this.start();
  }

  private fail(error: GatewayError, member?: PoolMember): void {
    sendError(this.res, error, this.requestId);
    this.finish({ status: error.status, error, cause: this.lastFailure?.cause, member, tries: this.tries });
  }

  private readonly onClientClose = (): void => {
    if (this.finished) return;
    // The client left before its response was complete: stop the backend's work too.
    this.current?.abort(new Error('client closed the connection'));
    this.finish({ status: 0, member: this.current?.member, tries: this.tries });
  };

  private finish(result: ForwardResult): void {
    this.finished = true;
    if (this.resumeOnDrain) this.res.off('drain', this.resumeOnDrain);
    this.done(result);
  }
}
