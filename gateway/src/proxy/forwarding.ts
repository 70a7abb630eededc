// One client request on its way through the pool: picks a backend, dispatches a try, and on failure asks
// the retry policy whether and where the next try may go. A slow first try may get a hedge on another
// backend; the first response headers win and the other try is cancelled. Streams the winner to the client.
// When every backend is at its concurrency cap, the request waits in the pool's queue for a free one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { BACKEND_BUSY, NO_AVAILABLE_BACKEND, sendError, type GatewayError } from '../errors.js';
import type { PendingQueue, PendingRequest } from '../pool/pending-queue.js';
import type { PoolMember } from '../pool/pool-member.js';
import { classifyTransportFailure, type FailureKind, type TransportFailure } from '../transport-failure.js';
import { Attempt } from './attempt.js';
import type { ForwardingSettings, ForwardResult } from './forwarding-settings.js';
import { GrpcCall, type RawTrailers } from './grpc-call.js';
import { GRPC_UNAVAILABLE, GRPC_UNKNOWN } from './grpc-errors.js';
import { downstreamResponseHeaders } from './forwarded-headers.js';
import type { PreparedBody } from './request-body.js';
import { shouldHedge, shouldRetry, type RetryTarget } from './retry-policy.js';

export class Forwarding implements PendingRequest {
  private tries = 0;
  /** Backends this request failed on, or whose try is already racing: the next pick skips them. */
  private tried: Set<string> | undefined;
  private lastFailure: TransportFailure | undefined;
  private responseStarted = false;
  private finished = false;
  /** The try started last; while a hedge races, `earlier` is the try it races against. */
  private current: Attempt | undefined;
  private earlier: Attempt | undefined;
  private hedgeTimer: NodeJS.Timeout | undefined;
  private resumeUpstream: (() => void) | undefined;
  /** Resumes the backend once the client drains; made on first need, as most responses never fill the socket. */
  private resumeOnDrain: (() => void) | undefined;
  private readonly startedAt = Date.now();
  pendingIn: PendingQueue | undefined;
  previousPending: PendingRequest | undefined;
  nextPending: PendingRequest | undefined;
  pendingUntil = 0;
  private readonly grpcCall: GrpcCall | undefined;
  /** What the retry policy's idempotentMethods are matched against: the HTTP method, or a gRPC call's method path. */
  private readonly retryKey: string;

  constructor(
    private readonly settings: ForwardingSettings,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    /** undefined: the client's own path. */
    private readonly path: string | undefined,
    private readonly headers: string[],
    private readonly requestId: string,
    private readonly body: PreparedBody,
    private readonly done: (result: ForwardResult) => void,
  ) {
    res.once('close', this.onClientClose);
    this.grpcCall = settings.grpc && new GrpcCall(req);
    this.retryKey = this.grpcCall ? (path ?? req.url!) : req.method!;
  }

  /** Sends the request to the next backend not yet tried, or queues it when every one is at its cap. */
  start(): void {
    if (this.tryStart()) return;
    // Busy is not failed: no passive-health failure, no retry budget; the request waits its turn or is shed.
    if (!this.settings.pool.loadBalancer.pending!.enqueue(this)) this.shed('pending_full');
  }

  /** A slot may have freed while the request waited in the pool's queue (PendingRequest). */
  admit(): boolean {
    return this.finished || this.tryStart();
  }

  /** It waited concurrency.queueTimeoutMs without a free backend (PendingRequest). */
  expire(): void {
    if (!this.finished) this.shed('backend_busy');
  }

  /** false: every backend it could go to is at its concurrency cap; nothing was done. */
  private tryStart(): boolean {
    const { loadBalancer } = this.settings.pool;
    const member = loadBalancer.pick(this.tried, this.settings.hashKey?.(this.req));
    if (member === undefined) {
      if (loadBalancer.busy(this.tried)) return false;
      // After failed tries, name the last backend tried: the access line and the metrics count the 502 against it.
      this.fail(this.lastFailure?.clientError ?? NO_AVAILABLE_BACKEND, this.current?.member);
      return true;
    }
    const first = this.tries === 0;
    this.launch(member, false, false);
    // Armed only where a hedge could be sent at all; shouldHedge decides the rest when it is due.
    const delayMs = first && this.body.body === null && (this.req.method === 'GET' || this.req.method === 'HEAD') && this.settings.hedgeDelay?.current();
    if (delayMs) this.hedgeTimer = setTimeout(hedgeDue, delayMs, this);
    return true;
  }

  private shed(reason: 'pending_full' | 'backend_busy'): void {
    this.settings.onShed?.(reason);
    this.fail(BACKEND_BUSY, this.current?.member);
  }

  /** Whether a try waiting on a backend that went away may be aborted and sent elsewhere; also where per-try timeouts apply. */
  canMoveElsewhere(): boolean {
    return !this.responseStarted && this.body.replayable && this.settings.limits.idempotentMethods.has(this.retryKey);
  }

  onResponseHeaders(attempt: Attempt, status: number, rawHeaders: Buffer[], resume: () => void): void {
    if (this.settings.failureStatuses.has(status)) this.settings.pool.loadBalancer.reportFailure(attempt.member, `status ${status}`);
    if (this.grpcCall?.readHeaders(rawHeaders)) this.settings.pool.loadBalancer.reportFailure(attempt.member, 'grpc-status UNAVAILABLE');
    this.settings.hedgeDelay?.record(attempt.headersAfterMs!);
    if (this.settings.retryStatuses.has(status) && (this.rivalOf(attempt) !== undefined || this.retryTarget('status', attempt) !== undefined)) {
      // Read to the end and thrown away; then the racing try, or the next one, answers instead.
      attempt.discarding = true;
      return;
    }
    this.responseStarted = true;
    clearTimeout(this.hedgeTimer);
    const rival = this.rivalOf(attempt);
    if (rival !== undefined) rival.cancel();
    if (this.earlier !== undefined) this.settings.onHedge?.(attempt.hedge ? 'won' : 'lost');
    this.current = attempt;
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

  onAttemptComplete(attempt: Attempt, trailers?: RawTrailers): void {
    if (attempt.discarding) {
      this.afterDiscarded(attempt);
      return;
    }
    attempt.member.served += 1;
    // UNAVAILABLE in the trailers counts against the backend like a failed try.
    if (this.grpcCall?.passTrailers(this.res, attempt.status, trailers)) this.settings.pool.loadBalancer.reportFailure(attempt.member, 'grpc-status UNAVAILABLE');
    this.res.end();
    this.finish({ status: attempt.status, member: attempt.member, tries: this.tries, upstreamMs: attempt.headersAfterMs });
  }

  onAttemptError(attempt: Attempt, error: Error): void {
    if (this.finished) return;
    const failure = classifyTransportFailure(error, attempt.sent);
    if (failure.blamesBackend) this.settings.pool.loadBalancer.reportFailure(attempt.member, failure.reason);
    if (failure.reason === 'unknown') this.warnUnexplained(failure, attempt);
    this.lastFailure = failure;
    if (this.responseStarted) {
      // Headers already went out: the only honest signal left is cutting the connection, or for a gRPC call
      // its status in the trailers.
      if (this.grpcCall) this.grpcCall.endWithStatus(this.res, GRPC_UNAVAILABLE, `the backend failed mid-call (${failure.reason})`);
      else this.res.destroy();
      this.finish({ status: 0, error: failure.clientError, cause: failure.cause, member: attempt.member, tries: this.tries });
      return;
    }
    this.markTried(attempt);
    if (this.rivalOf(attempt) !== undefined) return; // the racing try may still answer
    const target = this.retryTarget(failure.kind, attempt);
    if (target === undefined) this.fail(failure.clientError, attempt.member);
    else this.retry(attempt, target);
  }

  /** The hedge delay passed without response headers: send a second try elsewhere if the policy and the budget allow. */
  hedge(): void {
    this.hedgeTimer = undefined;
    const first = this.current!;
    if (this.finished || this.responseStarted || !first.contending || first.status !== 0) return;
    const tried = new Set(this.tried).add(first.member.id);
    const verdict = shouldHedge(
      { method: this.req.method!, hasBody: this.body.body !== null, tries: this.tries, elapsedMs: Date.now() - this.startedAt, otherBackendLeft: this.settings.pool.loadBalancer.hasUntried(tried) },
      this.settings.limits,
    );
    const member = verdict.hedge && this.settings.budget.tryAcquire() ? this.settings.pool.loadBalancer.pick(tried, this.settings.hashKey?.(this.req)) : undefined;
    if (member === undefined) {
      this.settings.onHedge?.('skipped');
      return;
    }
    this.markTried(first);
    this.launch(member, false, true);
  }

  private launch(member: PoolMember, fresh: boolean, hedge: boolean): void {
    this.tries += 1;
    const perTryMs = this.settings.perTryTimeoutMs > 0 && this.canMoveElsewhere() ? this.settings.perTryTimeoutMs : 0;
    // A gRPC call's grpc-timeout caps every try: past it the client has given up anyway.
    const deadlineMs = this.grpcCall?.remainingMs();
    const timeoutMs = deadlineMs === undefined ? perTryMs : perTryMs > 0 ? Math.min(perTryMs, deadlineMs) : deadlineMs;
    const attempt = new Attempt(this, member, { fresh, hedge, timeoutMs });
    this.earlier = hedge ? this.current : undefined;
    this.current = attempt;
    const options = { path: this.path ?? this.req.url!, method: this.req.method!, headers: this.headers, body: this.body.forTry?.() ?? this.body.body };
    // A request undici will not send (an invalid header value…) comes back through attempt.onError at once,
    // classified as 'rejected': nothing went out, and no backend is blamed for it.
    if (fresh) this.settings.pool.dispatchers.dispatchOnNewConnection(member.backend, options, attempt);
    else this.settings.pool.dispatchers.get(member.backend).dispatch(options, attempt);
  }

  /** The other try of a hedged request, while it can still answer. */
  private rivalOf(attempt: Attempt): Attempt | undefined {
    const rival = attempt === this.current ? this.earlier : this.current;
    return rival !== undefined && rival !== attempt && rival.contending ? rival : undefined;
  }

  private markTried(attempt: Attempt): void {
    (this.tried ??= new Set()).add(attempt.member.id);
  }

  /** A retryable status was read and dropped: go on, unless the racing try answers or a later try already did. */
  private afterDiscarded(attempt: Attempt): void {
    if (this.finished || this.responseStarted) return;
    this.markTried(attempt);
    if (this.rivalOf(attempt) !== undefined) return;
    const target = this.retryTarget('status', attempt, false);
    // Decided when the status arrived; the budget was taken then.
    this.retry(attempt, target ?? 'other-backend');
  }

  /** Asks the policy, then the budget: a retry counted is a retry made. Undefined: no retry. */
  private retryTarget(kind: FailureKind, failed: Attempt, takeBudget = true): RetryTarget | undefined {
    // A streamed body that a failed try began to read cannot be sent again, whatever the method.
    if (this.body.body instanceof Transform && this.body.body.destroyed) return undefined;
    if (this.grpcCall?.expired()) return undefined;
    const tried = new Set(this.tried).add(failed.member.id);
    const verdict = shouldRetry(
      {
        kind,
        method: this.retryKey,
        replayable: this.body.replayable,
        tries: this.tries,
        elapsedMs: Date.now() - this.startedAt,
        responseStarted: this.responseStarted,
        otherBackendLeft: this.settings.pool.loadBalancer.hasUntried(tried),
        freshConnectionTried: failed.fresh,
      },
      this.settings.limits,
    );
    if (!verdict.retry) return undefined;
    if (verdict.where === 'same-backend-fresh-connection' && !failed.member.available) return undefined;
    if (!takeBudget) return verdict.where;
    if (!this.settings.budget.tryAcquire()) return undefined;
    this.settings.onRetry?.(kind);
    return verdict.where;
  }

  private retry(failed: Attempt, target: RetryTarget): void {
    if (target === 'same-backend-fresh-connection') this.launch(failed.member, true, false);
    else this.start();
  }

  private warnUnexplained(failure: TransportFailure, attempt: Attempt): void {
    this.settings.log.warn(
      { backend: attempt.member.id, requestId: this.requestId, method: this.req.method, path: this.req.url, sent: attempt.sent, cause: failure.cause },
      `forwarding to ${attempt.member.id} failed for a cause the gateway does not know: ${failure.cause}`,
    );
  }

  private fail(error: GatewayError, member?: PoolMember): void {
    if (this.grpcCall) this.grpcCall.refuse(this.res, error, this.requestId);
    else sendError(this.res, error, this.requestId);
    this.finish({ status: error.status, error, cause: this.lastFailure?.cause, member, tries: this.tries });
  }

  private readonly onClientClose = (): void => {
    if (this.finished) return;
    this.pendingIn?.delete(this);
    // The client left before its response was complete: stop the backend's work too.
    const reason = new Error('client closed the connection');
    this.grpcCall?.cancelled();
    this.earlier?.cancel(reason);
    this.current?.cancel(reason);
    this.finish({ status: 0, member: this.current?.member, tries: this.tries });
  };

  private finish(result: ForwardResult): void {
    this.finished = true;
    if (this.grpcCall) this.settings.grpc!.onStatus?.(this.grpcCall.status ?? GRPC_UNKNOWN);
    clearTimeout(this.hedgeTimer);
    if (this.resumeOnDrain) this.res.off('drain', this.resumeOnDrain);
    this.done(result);
  }
}

/** A module function, not a closure per request: most requests are answered before their hedge is due. */
function hedgeDue(forwarding: Forwarding): void {
  forwarding.hedge();
}
