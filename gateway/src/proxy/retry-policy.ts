// The one place that decides whether a failed try may be tried again, and where, and whether a slow first try
// gets a hedge. It switches on what kind of failure happened and how much of the request already went out.
import type { FailureKind } from '../transport-failure.js';

export type { FailureKind };

export interface RetryQuestion {
  kind: FailureKind;
  method: string;
  /** The request has no body, or its body is buffered and can be sent again. */
  replayable: boolean;
  /** Tries made so far, including the failed one. */
  tries: number;
  /** Milliseconds since the first try started. */
  elapsedMs: number;
  /** Response bytes already reached the client: nothing can be retried then. */
  responseStarted: boolean;
  /** An available backend that this request has not tried yet. */
  otherBackendLeft: boolean;
  /** A try of this request already went out on a connection opened for it alone. */
  freshConnectionTried: boolean;
}

export interface RetryLimits {
  retries: number;
  tryDurationMs: number;
  idempotentMethods: ReadonlySet<string>;
}

/** Where the next try goes: another backend, or the same one on a new connection (the keep-alive race). */
export type RetryTarget = 'other-backend' | 'same-backend-fresh-connection';

export type RetryVerdict =
  | { retry: true; where: RetryTarget }
  | { retry: false; why: 'response-started' | 'not-sendable' | 'not-idempotent' | 'body-not-replayable' | 'retries-exhausted' | 'try-duration-exceeded' | 'no-backend-left' };

export function shouldRetry(question: RetryQuestion, limits: RetryLimits): RetryVerdict {
  if (question.responseStarted) return { retry: false, why: 'response-started' };
  // Another backend would refuse it the same way.
  if (question.kind === 'rejected') return { retry: false, why: 'not-sendable' };
  if (question.tries > limits.retries) return { retry: false, why: 'retries-exhausted' };
  if (question.elapsedMs >= limits.tryDurationMs) return { retry: false, why: 'try-duration-exceeded' };
  // Nothing reached the backend: safe for every method, and the body stream was never read.
  if (question.kind !== 'connect') {
    if (!limits.idempotentMethods.has(question.method)) return { retry: false, why: 'not-idempotent' };
    if (!question.replayable) return { retry: false, why: 'body-not-replayable' };
  }
  if (question.otherBackendLeft) return { retry: true, where: 'other-backend' };
  // The keep-alive race: the backend closed a reused socket as the request arrived. That says nothing about
  // the backend's health, and a connection opened for this request alone cannot have been closed that way.
  if (question.kind === 'reset' && !question.freshConnectionTried) return { retry: true, where: 'same-backend-fresh-connection' };
  return { retry: false, why: 'no-backend-left' };
}

export interface HedgeQuestion {
  method: string;
  /** Requests with a body are never hedged: only GET and HEAD without one are cheap and safe to send twice. */
  hasBody: boolean;
  tries: number;
  elapsedMs: number;
  otherBackendLeft: boolean;
}

export type HedgeVerdict = { hedge: true } | { hedge: false; why: 'not-get-or-head' | 'has-body' | 'retries-exhausted' | 'try-duration-exceeded' | 'no-backend-left' };

/** Whether a first try still without response headers after the hedge delay gets a second one elsewhere. A hedge counts as a retry. */
export function shouldHedge(question: HedgeQuestion, limits: RetryLimits): HedgeVerdict {
  if (question.method !== 'GET' && question.method !== 'HEAD') return { hedge: false, why: 'not-get-or-head' };
  if (question.hasBody) return { hedge: false, why: 'has-body' };
  if (question.tries > limits.retries) return { hedge: false, why: 'retries-exhausted' };
  if (question.elapsedMs >= limits.tryDurationMs) return { hedge: false, why: 'try-duration-exceeded' };
  if (!question.otherBackendLeft) return { hedge: false, why: 'no-backend-left' };
  return { hedge: true };
}
