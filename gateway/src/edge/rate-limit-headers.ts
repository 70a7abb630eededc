// The headers of a 429 (draft-ietf-httpapi-ratelimit-headers-10): RateLimit-Policy names the route's quota
// (q requests per w seconds), RateLimit says what is left of it now (r) and in how many seconds it refills (t),
// and Retry-After (RFC 9110 §10.2.3) the same wait for clients that know only that one.
import type { RateLimitPolicy } from './rate-limit-policy.js';

export type RateLimitHeaders = Record<string, string | number>;

/** The policy's header value, written once per route: `"api";q=20;w=2`. */
export function policyHeader(route: string, policy: RateLimitPolicy): string {
  return `${quoted(route)};q=${policy.quota};w=${policy.windowSeconds}`;
}

/** remaining: requests left in the window; resetMs: until the window refills. Seconds round up, never 0 for a wait. */
export function refusalHeaders(route: string, policyValue: string, remaining: number, resetMs: number): RateLimitHeaders {
  const seconds = Math.max(1, Math.ceil(resetMs / 1000));
  return {
    'retry-after': seconds,
    'ratelimit-policy': policyValue,
    ratelimit: `${quoted(route)};r=${remaining};t=${seconds}`,
  };
}

/** A structured-field string (RFC 8941 §3.3.3); route names are [A-Za-z0-9_-], so nothing needs escaping. */
function quoted(name: string): string {
  return `"${name}"`;
}
