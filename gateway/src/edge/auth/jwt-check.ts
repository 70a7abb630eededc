// JWT bearer authentication with jose: the token from `Authorization: Bearer`, its signature checked against the
// route's keys (a remote JWKS, refetched on an unknown kid at most once per cooldown; key files; or an HS256
// secret), then iss, aud, exp and nbf with the configured clock skew, then the required claims (403 if lacking).
import type { JsonWebKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWK, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { ASYMMETRIC_ALGORITHMS, type JwtConfig } from '../../config-schema-auth.js';
import { headerValue } from '../../routes/route-match.js';
import { claimsSatisfy, identityHeaders, type RequiredClaims } from './claims.js';
import { MISSING, type AuthFailure, type Identity } from './identity.js';
import { readJwtKeyFiles, readSecretFile } from './key-files.js';

/** RFC 6750 §2.1: `Bearer <b64token>`, the scheme in any case. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const LACKS_CLAIM: AuthFailure = Object.freeze({ reason: 'forbidden', detail: 'a required claim is missing or has another value' });

export class JwtCheck {
  private readonly verify: (token: string) => Promise<JWTPayload>;
  private readonly required: RequiredClaims;
  private readonly forward: [claim: string, header: string][];

  constructor(config: JwtConfig) {
    const options: JWTVerifyOptions = {
      algorithms: config.algorithms ?? (config.secretFile === undefined ? [...ASYMMETRIC_ALGORITHMS] : ['HS256']),
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: config.clockSkewSeconds,
    };
    if (config.secretFile !== undefined) {
      const secret = readSecretFile(config.secretFile);
      this.verify = async (token) => (await jwtVerify(token, secret, options)).payload;
    } else {
      const keys: JWTVerifyGetKey = config.jwksUrl !== undefined
        ? createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: config.jwksCooldownMs, cacheMaxAge: config.jwksCacheMaxAgeMs, timeoutDuration: config.jwksTimeoutMs })
        : createLocalJWKSet({ keys: readJwtKeyFiles(config.keyFiles!) as (JsonWebKey & JWK)[] });
      this.verify = async (token) => (await jwtVerify(token, keys, options)).payload;
    }
    this.required = Object.entries(config.requiredClaims ?? {}).map(([claim, wanted]) => [claim, Array.isArray(wanted) ? wanted : [wanted]]);
    this.forward = Object.entries(config.forwardClaims ?? {});
  }

  /** Resolves with the identity, or why the request is refused; never rejects. */
  async check(req: IncomingMessage): Promise<Identity | AuthFailure> {
    const authorization = headerValue(req, 'authorization');
    if (authorization === undefined) return MISSING;
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return { reason: 'invalid', detail: 'the Authorization header is not "Bearer <token>"' };
    let claims: JWTPayload;
    try {
      claims = await this.verify(token);
    } catch (error) {
      return failureOf(error);
    }
    if (!claimsSatisfy(claims, this.required)) return LACKS_CLAIM;
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    return { subject, claims, headers: identityHeaders(subject, claims, this.forward) };
  }
}

/** jose's error codes to the bounded reasons; anything else is the JWKS fetch failing (a refused connection, say). */
function failureOf(error: unknown): AuthFailure {
  if (error instanceof errors.JWTExpired) return { reason: 'expired', detail: error.message };
  if (error instanceof errors.JWTClaimValidationFailed) return { reason: error.claim === 'nbf' ? 'not_yet_valid' : 'invalid', detail: error.message };
  if (error instanceof errors.JWKSNoMatchingKey) return { reason: 'unknown_key', detail: error.message };
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError) || error.code === 'ERR_JOSE_GENERIC') {
    return { reason: 'keys_unavailable', detail: (error as Error).message, cause: error };
  }
  // Malformed token, bad signature, an algorithm not allowed, several keys matching a token without kid.
  return { reason: 'invalid', detail: `${error.code}: ${error.message}` };
}
