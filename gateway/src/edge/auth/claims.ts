// What a verified token's claims decide: whether it has the claims the route requires, and the identity headers
// the backend gets (X-Auth-Subject, plus each configured claim in its X-Auth-* header).
import type { JWTPayload } from 'jose';
import { headerSafe, SUBJECT_HEADER } from './identity.js';

type ClaimValue = string | number | boolean;
/** claim -> the accepted values (any one of them). */
export type RequiredClaims = [claim: string, accepted: ClaimValue[]][];

/**
 * Every required claim has one of its accepted values. An array claim (roles, groups) passes when it contains
 * one; `scope` is a space-separated list (RFC 8693 §4.2), so it passes when one of its scopes is accepted.
 */
export function claimsSatisfy(claims: JWTPayload, required: RequiredClaims): boolean {
  for (const [claim, accepted] of required) {
    const value = claims[claim];
    const values = Array.isArray(value) ? value : claim === 'scope' && typeof value === 'string' ? value.split(' ') : [value];
    if (!values.some((item) => accepted.includes(item as ClaimValue))) return false;
  }
  return true;
}

/** A claim as a header value: strings as they are, numbers and booleans as text, lists comma-joined, objects as JSON. */
function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Values that are not printable ASCII are left out rather than sent broken; the backend sees no header then. */
export function identityHeaders(subject: string, claims: JWTPayload, forward: readonly [claim: string, header: string][]): string[] {
  const headers: string[] = [];
  if (subject !== '' && headerSafe(subject)) headers.push(SUBJECT_HEADER, subject);
  for (const [claim, header] of forward) {
    const text = headerText(claims[claim]);
    if (text !== undefined && headerSafe(text)) headers.push(header, text);
  }
  return headers;
}
