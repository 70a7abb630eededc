// One client request on its way through the pool: picks a backend, dispatches a try, and on failure asks
// the retry policy whether the next candidate may get it. Streams the chosen response to the client.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { NO_AVAILABLE_BACKEND, classifyUpstreamError, sendError, type GatewayError } from '../errors.js';
import type { LoadBalancer } from '../load-balancer.js';
import type { PoolMember } from '../pool-member.js';
import { Attempt, RescuedError } from './attempt.js';
import { downstreamResponseHeaders } from './forwarded-headers.js';
import type { PreparedBody } from './request-body.js';
import type { RetryBudget } from './retry-budget.js';
import { shouldRetry, type FailureKind, type RetryLimits } from './retry-policy.js';
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
}

export interface ForwardResult {
  /** Status the client got; 0 when the client left, or the connection was cut mid-response. */
  status: number;
  error?: GatewayError;
  /** The backend of the last try, if any try was made. */
  member?: PoolMember;
  tries: number;
  /** Milliseconds from the last try's dispatch to its response headers, when it got that far. */
  upstreamMs?: number;
}

export class Forwarding {
  private tries = 0;
  private tried: Set<string> | undefined;
  private lastError: GatewayError | undefined;
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
      this.fail(this.lastError ?? NO_AVAILABLE_BACKEND, this.current?.member);
      return;
    }
    this.tries += 1;
    const attempt = new Attempt(this, member);
    this.current = attempt;
    try {
      this.settings.pools.get(member.backend).dispatch({ path: this.req.url!, method: this.req.method!, headers: this.headers, body: this.body.body }, attempt);
    } catch (error) {
      // dispatch() throws synchronously only for requests undici will not send (e.g. an invalid header value).
      attempt.onError(error as Error);
    }
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
      this.retryAfter(attempt, undefined);
      return;
    }
    attempt.member.served += 1;
    this.res.end();
    this.finish({ status: attempt.status, member: attempt.member, tries: this.tries, upstreamMs: attempt.headersAfterMs });
  }

  onAttemptError(attempt: Attempt, error: Error): void {
    if (this.finished) return;
    const gatewayError = classifyUpstreamError(error);
    const kind = failureKind(attempt, error);
    if (kind !== 'rescued' && gatewayError.status !== 413) this.settings.loadBalancer.reportFailure(attempt.member, describe(kind, error));
    if (this.responseStarted) {
      // Headers already went out: the only honest signal left is cutting the connection.
      this.res.destroy();
      this.finish({ status: 0, error: gatewayError, member: attempt.member, tries: this.tries });
      return;
    }
    if (gatewayError.status !== 413 && this.mayRetry(kind, attempt)) {
      this.retryAfter(attempt, gatewayError);
      return;
    }
    this.fail(gatewayError, attempt.member);
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

  /** Tries the next candidate; error is what the client gets if no candidate is left. */
  private retryAfter(attempt: Attempt, error: GatewayError | undefined): void {
    if (error) this.lastError = error;
    (this.tried ??= new Set()).add(attempt.member.id);
    this.start();
  }

  private fail(error: GatewayError, member?: PoolMember): void {
    sendError(this.res, error, this.requestId);
    this.finish({ status: error.status, error, member, tries: this.tries });
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

function failureKind(attempt: Attempt, error: Error): FailureKind {
  if (error instanceof RescuedError) return 'rescued';
  if (!attempt.sent) return 'connect';
  const code = (error as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : 'reset';
}

function describe(kind: FailureKind, error: Error): string {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  return kind === 'connect' && code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect timeout' : kind;
}
