// One try of a request on one backend: the undici dispatch handler that reports back to its Forwarding.
// It knows whether anything was sent yet (onConnect), and can end early: rescued when its backend goes away,
// timed out by retry.perTryTimeoutMs, or cancelled when a hedge racing it answered first.
import type { Dispatcher } from 'undici';
import type { PoolMember } from '../pool/pool-member.js';
import type { WaitingTries, WaitingTry } from '../pool/waiting-tries.js';
import type { Forwarding } from './forwarding.js';

/** Aborts a try whose backend went down or was ejected while the try waited for its answer. */
export class RescuedError extends Error {
  readonly code = 'GATEWAY_RESCUED';
}

/** No response headers within retry.perTryTimeoutMs. */
export class PerTryTimeoutError extends Error {
  readonly code = 'GATEWAY_PER_TRY_TIMEOUT';
}

/** Aborts the slower of two racing tries; never reported, never blamed on its backend. */
class LostRaceError extends Error {
  readonly code = 'GATEWAY_LOST_RACE';
}

/** How the Forwarding sends this try. */
export interface AttemptOptions {
  /** On a connection opened for this try alone (the keep-alive race retry). */
  fresh: boolean;
  /** The second of two racing tries. */
  hedge: boolean;
  /** Milliseconds until the try gives up waiting for headers; 0 for none. */
  timeoutMs: number;
}

export class Attempt implements Dispatcher.DispatchHandler, WaitingTry {
  /** undici called onConnect: the request started going out on a connected socket. */
  sent = false;
  /** The response is a retryable status being read to the end and thrown away. */
  discarding = false;
  /** Set once the try is over for the Forwarding (completed, failed or cancelled); later undici calls are ignored. */
  ended = false;
  status = 0;
  /** Time to response headers, for the access log and the hedge delay. */
  headersAfterMs: number | undefined;
  readonly fresh: boolean;
  readonly hedge: boolean;
  private readonly startedAt = performance.now();
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private pendingAbort: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  waitingIn: WaitingTries | undefined;
  previousWaiting: WaitingTry | undefined;
  nextWaiting: WaitingTry | undefined;

  constructor(
    private readonly forwarding: Forwarding,
    readonly member: PoolMember,
    options: AttemptOptions,
  ) {
    this.fresh = options.fresh;
    this.hedge = options.hedge;
    member.inFlight += 1;
    member.waiting.add(this);
    if (options.timeoutMs > 0) this.timer = setTimeout(timeOut, options.timeoutMs, this, options.timeoutMs);
  }

  /** Racing for the response: not over, and not a retryable status being thrown away. */
  get contending(): boolean {
    return !this.ended && !this.discarding;
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.sent = true;
    this.abortUpstream = abort;
    // One turn later here too: the HTTP/2 stream was created just before this call (see abort()).
    if (this.pendingAbort) setImmediate(abort, this.pendingAbort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx interim responses are not relayed
    if (this.ended) {
      // An abort that crossed the headers on the wire: read nothing of this response.
      this.discarding = true;
      return true;
    }
    clearTimeout(this.timer);
    this.member.waiting.delete(this);
    this.status = statusCode;
    this.headersAfterMs = performance.now() - this.startedAt;
    this.forwarding.onResponseHeaders(this, statusCode, rawHeaders, resume);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.discarding || this.forwarding.writeBody(chunk);
  }

  /** trailers: a raw [name, value…] list over HTTP/1.1, an object over HTTP/2 (undici's type names the first only). */
  onComplete(trailers: string[] | null): void {
    if (this.ended) return;
    this.end();
    this.forwarding.onAttemptComplete(this, trailers);
  }

  onError(error: Error): void {
    if (this.ended) return;
    this.end();
    this.forwarding.onAttemptError(this, error);
  }

  /** The backend went away while this try waited: end it now so the Forwarding can try elsewhere. */
  rescue(reason: string): void {
    if (!this.forwarding.canMoveElsewhere()) return;
    this.failNow(new RescuedError(reason));
  }

  /** Fails the try at once, without waiting for undici to notice: the Forwarding moves on, the upstream request is aborted. */
  failNow(error: Error): void {
    if (this.ended) return;
    this.end();
    this.abort(error);
    this.forwarding.onAttemptError(this, error);
  }

  /** Ends the try without a word to the Forwarding: the client left, or a racing try answered first. */
  cancel(reason: Error = new LostRaceError('another try answered first')): void {
    if (this.ended) return;
    this.end();
    this.abort(reason);
  }

  private abort(reason: Error): void {
    // Deferred one turn: aborting an HTTP/2 try in the tick it was submitted destroys the stream before its
    // session sent the HEADERS, which sends Node's session into an endless loop of empty DATA frames (a gRPC
    // client leaving with calls just started did it).
    if (this.abortUpstream) setImmediate(this.abortUpstream, reason);
    else this.pendingAbort = reason; // still queued or connecting: abort as soon as undici hands us the socket
  }

  private end(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.member.release();
    this.member.waiting.delete(this);
  }
}

/** A module function, not a closure per try: most tries never time out. */
function timeOut(attempt: Attempt, ms: number): void {
  attempt.failNow(new PerTryTimeoutError(`no response headers within retry.perTryTimeoutMs (${ms} ms)`));
}
