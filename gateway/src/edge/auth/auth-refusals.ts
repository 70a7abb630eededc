// The answers to a refused request, written once per route: 401 with WWW-Authenticate (RFC 6750 §3 for Bearer
// tokens: realm, then error and error_description once a token was sent; an ApiKey challenge naming where the
// key goes), 403 insufficient_scope for a valid identity lacking a required claim, 503 when the JWKS is unreachable.
import { AUTH_UNAVAILABLE, FORBIDDEN, UNAUTHORIZED } from '../../errors.js';
import type { Refusal } from '../rate-limit-policy.js';
import type { AuthReason } from './identity.js';

export interface AuthRefusal extends Refusal {
  readonly reason: AuthReason;
}

const TOKEN_PROBLEM: Record<Exclude<AuthReason, 'missing' | 'forbidden' | 'keys_unavailable'>, string> = {
  invalid: 'the token is malformed, its signature does not verify, or its issuer or audience is not accepted',
  expired: 'the token has expired',
  not_yet_valid: 'the token is not valid yet (nbf)',
  unknown_key: 'no key of this route has the token\'s kid',
};

/** Where the API key goes, for its challenge: `header="x-api-key"` or `query="api_key"`. */
export type ChallengeScheme = { kind: 'bearer' } | { kind: 'api-key'; param: string };

export function authRefusals(route: string, scheme: ChallengeScheme): Record<AuthReason, AuthRefusal> {
  const realm = `realm="${route}"`;
  const refusal = (reason: AuthReason, error: Refusal['error'], challenge?: string): AuthRefusal =>
    Object.freeze({ reason, error, headers: Object.freeze<Record<string, string>>(challenge === undefined ? {} : { 'www-authenticate': challenge }) });
  const bearer = (reason: keyof typeof TOKEN_PROBLEM) => refusal(reason, UNAUTHORIZED, `Bearer ${realm}, error="invalid_token", error_description="${TOKEN_PROBLEM[reason]}"`);
  if (scheme.kind === 'api-key') {
    const challenge = `ApiKey ${realm}, ${scheme.param}`;
    const invalid = refusal('invalid', UNAUTHORIZED, `${challenge}, error="invalid_key"`);
    return {
      missing: refusal('missing', UNAUTHORIZED, challenge),
      invalid,
      // API keys do not expire or carry claims; these reasons never occur for them.
      expired: invalid,
      not_yet_valid: invalid,
      unknown_key: invalid,
      forbidden: refusal('forbidden', FORBIDDEN),
      keys_unavailable: refusal('keys_unavailable', AUTH_UNAVAILABLE),
    };
  }
  return {
    missing: refusal('missing', UNAUTHORIZED, `Bearer ${realm}`),
    invalid: bearer('invalid'),
    expired: bearer('expired'),
    not_yet_valid: bearer('not_yet_valid'),
    unknown_key: bearer('unknown_key'),
    forbidden: refusal('forbidden', FORBIDDEN, `Bearer ${realm}, error="insufficient_scope", error_description="the token lacks a claim this route requires"`),
    keys_unavailable: refusal('keys_unavailable', AUTH_UNAVAILABLE),
  };
}
