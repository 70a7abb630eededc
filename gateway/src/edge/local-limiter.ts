// A route's count in this process: rate-limiter-flexible's RateLimiterMemory, one fixed window per key. Also
// the fallback a Redis-backed route counts in while Redis is down (failOpen).
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Count, CountStore, RateLimitPolicy } from './rate-limit-policy.js';

export class LocalLimiter implements CountStore {
  readonly limiter: RateLimiterMemory;

  constructor(route: string, policy: RateLimitPolicy) {
    this.limiter = new RateLimiterMemory({ keyPrefix: route, points: policy.quota, duration: policy.windowSeconds });
  }

  // RateLimiterMemory decides synchronously but answers with a promise: one microtask per request, measured
  // in the README (Rate limits); there is no synchronous call in its API.
  consume(key: string): Promise<Count> {
    return this.limiter.consume(key).then(allowed, refused);
  }
}

/** A result: let through. */
export function allowed(result: RateLimiterRes): Count {
  return { allowed: true, remaining: result.remainingPoints, resetMs: result.msBeforeNext };
}

/** A rejection: over the quota (a RateLimiterRes), or a store error, which the caller's policy handles. */
export function refused(reason: unknown): Count {
  if (reason instanceof RateLimiterRes) return { allowed: false, remaining: reason.remainingPoints, resetMs: reason.msBeforeNext };
  throw reason;
}
