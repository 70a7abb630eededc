// The one place that decides whether a failed try may be tried again on another backend.
// It switches on what kind of failure happened and how much of the request already went out.
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
}

export interface RetryLimits {
  retries: number;
  tryDurationMs: number;
  idempotentMethods: ReadonlySet<string>;
}

export type RetryVerdict = { retry: true } | { retry: false; why: 'response-started' | 'not-sendable' | 'not-idempotent' | 'body-not-replayable' | 'retries-exhausted' | 'try-duration-exceeded' };

export function shouldRetry(question: RetryQuestion, limits: RetryLimits): RetryVerdict {
  if (question.responseStarted) return { retry: false, why: 'response-started' };
  // Another backend would refuse it the same way.
  if (question.kind === 'rejected') return { retry: false, why: 'not-sendable' };
  if (question.tries > limits.retries) return { retry: false, why: 'retries-exhausted' };
  if (question.elapsedMs >= limits.tryDurationMs) return { retry: false, why: 'try-duration-exceeded' };
  // Nothing reached the backend: safe for every method, and the body stream was never read.
  if (question.kind === 'connect') return { retry: true };
  if (!limits.idempotentMethods.has(question.method)) return { retry: false, why: 'not-idempotent' };
  if (!question.replayable) return { retry: false, why: 'body-not-replayable' };
  return { retry: true };
}
