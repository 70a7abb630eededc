// One HTTP probe as an undici dispatch handler: reads the status, throws the body away, and reports once.
// Cheaper than request(): no promise, no body stream and no AbortSignal timer per probe (the schedule times it out).
import type { Dispatcher } from 'undici';
import { classifyTransportFailure } from '../transport-failure.js';

export interface ProbeResult {
  ok: boolean;
  /** "ok", "status 503", or the transport failure's reason ("refused", "timeout", "reset", …) as traffic names it. */
  reason: string;
}

export const PROBE_OK: ProbeResult = Object.freeze({ ok: true, reason: 'ok' });
export const PROBE_TIMEOUT: ProbeResult = Object.freeze({ ok: false, reason: 'timeout' });

/** Aborts a probe that did not finish within healthCheck.timeoutMs. */
class ProbeTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export class ProbeExchange implements Dispatcher.DispatchHandler {
  private status = 0;
  private done = false;
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private timedOut = false;

  constructor(private readonly report: (result: ProbeResult) => void) {}

  /** The deadline passed: report a timeout now and abort the request (at once, or as soon as it has a socket). */
  timeOut(timeoutMs: number): void {
    if (this.done) return;
    this.timedOut = true;
    this.abortUpstream?.(new ProbeTimeoutError(`no answer within healthCheck.timeoutMs (${timeoutMs} ms)`));
    this.finish(PROBE_TIMEOUT);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.timedOut) abort(new ProbeTimeoutError('probe timed out before it was sent'));
    else this.abortUpstream = abort;
  }

  onHeaders(statusCode: number): boolean {
    if (statusCode >= 200) this.status = statusCode; // 1xx interim answers are not the verdict
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    const ok = this.status >= 200 && this.status < 400;
    this.finish(ok ? PROBE_OK : { ok: false, reason: `status ${this.status}` });
  }

  onError(error: Error): void {
    if (this.done) return;
    const failure = classifyTransportFailure(error, false);
    // An unnamed failure keeps its own words, so /pool and the log still say what happened.
    this.finish({ ok: false, reason: failure.reason === 'unknown' ? failure.cause : failure.reason });
  }

  /** A verdict reached another way (a gRPC health check); ignored after a timeout was reported. */
  settle(result: ProbeResult): void {
    this.finish(result);
  }

  private finish(result: ProbeResult): void {
    if (this.done) return;
    this.done = true;
    this.report(result);
  }
}
