// One try of a request on one backend: the undici dispatch handler that reports back to its Forwarding.
// It knows whether anything was sent yet (onConnect), and can be rescued while it waits for headers.
import type { Dispatcher } from 'undici';
import type { PoolMember } from '../pool-member.js';
import type { WaitingTries, WaitingTry } from '../waiting-tries.js';
import type { Forwarding } from './forwarding.js';

/** Aborts a try whose backend went down or was ejected while the try waited for its answer. */
export class RescuedError extends Error {
  readonly code = 'GATEWAY_RESCUED';
}

export class Attempt implements Dispatcher.DispatchHandler, WaitingTry {
  /** undici called onConnect: the request started going out on a connected socket. */
  sent = false;
  /** The response is a retryable status being read to the end and thrown away. */
  discarding = false;
  status = 0;
  /** Time to response headers, for the access log. */
  headersAfterMs: number | undefined;
  private readonly startedAt = performance.now();
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private pendingAbort: Error | undefined;
  private ended = false;
  waitingIn: WaitingTries | undefined;
  previousWaiting: WaitingTry | undefined;
  nextWaiting: WaitingTry | undefined;

  constructor(
    private readonly forwarding: Forwarding,
    readonly member: PoolMember,
  ) {
    member.inFlight += 1;
    member.waiting.add(this);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.sent = true;
    this.abortUpstream = abort;
    if (this.pendingAbort) abort(this.pendingAbort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx interim responses are not relayed
    this.member.waiting.delete(this);
    this.status = statusCode;
    this.headersAfterMs = performance.now() - this.startedAt;
    this.forwarding.onResponseHeaders(this, statusCode, rawHeaders, resume);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.discarding || this.forwarding.writeBody(chunk);
  }

  onComplete(): void {
    this.end();
    this.forwarding.onAttemptComplete(this);
  }

  onError(error: Error): void {
    if (this.ended) return;
    this.end();
    this.forwarding.onAttemptError(this, error);
  }

  /** The backend went away while this try waited: abort it so the Forwarding can try elsewhere. */
  rescue(reason: string): void {
    if (!this.forwarding.canMoveElsewhere()) return;
    this.abort(new RescuedError(reason));
  }

  abort(reason: Error): void {
    if (this.abortUpstream) this.abortUpstream(reason);
    else this.pendingAbort = reason; // still queued or connecting: abort as soon as undici hands us the socket
  }

  private end(): void {
    this.ended = true;
    this.member.inFlight -= 1;
    this.member.waiting.delete(this);
  }
}
