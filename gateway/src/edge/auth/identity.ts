// What a route's authentication concludes about a request: who it is (an identity, with the headers that tell
// the backend), or why it is refused (a reason from a bounded list, the label of gateway_auth_rejections_total).
import type { JWTPayload } from 'jose';

export interface Identity {
  /** The API key's name, or the token's `sub` (empty when it has none). */
  readonly subject: string;
  /** Set for API keys: what a rate limit keyed "api-key" counts under. */
  readonly keyName?: string;
  /** Set for JWTs: what a rate limit keyed "claim:NAME" reads. */
  readonly claims?: JWTPayload;
  /** Flat [name, value, ...] list for the backend: X-Auth-Subject and the forwarded claims. */
  readonly headers: readonly string[];
}

export const AUTH_REASONS = ['missing', 'invalid', 'expired', 'not_yet_valid', 'unknown_key', 'forbidden', 'keys_unavailable'] as const;
export type AuthReason = (typeof AUTH_REASONS)[number];

/** A refused request; detail (never the credential) and cause go to the sampled log line only. */
export interface AuthFailure {
  readonly reason: AuthReason;
  readonly detail?: string;
  readonly cause?: unknown;
}

export const MISSING: AuthFailure = Object.freeze({ reason: 'missing' });

export function isFailure(outcome: Identity | AuthFailure): outcome is AuthFailure {
  return (outcome as AuthFailure).reason !== undefined;
}

/** The headers a gateway sets, and strips from every client request: X-Auth-Subject and X-Auth-*. */
export const IDENTITY_HEADER_PREFIX = 'x-auth-';
export const SUBJECT_HEADER = 'x-auth-subject';

/** A value a header can carry as it is: printable ASCII (no CR, LF or NUL that would split or break it). */
export function headerSafe(value: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(value);
}
