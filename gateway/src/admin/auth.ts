// Admin authentication: every mutation needs `Authorization: Bearer <token>`, compared in constant time over
// SHA-256 digests (equal length whatever the input). Failures are audited and, per client address, limited by
// @fastify/rate-limit: past admin.authFailuresPerMinute an address gets 429 even with the right token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../observability/audit-log.js';
import { sendAdminError } from './admin-errors.js';

export type TokenCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface AuthOptions {
  token?: string;
  tokenFile?: string;
  failuresPerMinute: number;
  audit: AuditLog;
}

/** The configured token, from admin.token or the first line of admin.tokenFile; undefined when neither is set. */
export function resolveToken(options: Pick<AuthOptions, 'token' | 'tokenFile'>): string | undefined {
  if (options.token !== undefined) return options.token;
  if (options.tokenFile !== undefined) return readFileSync(options.tokenFile, 'utf8').trim();
  return undefined;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Registers the failure limiter on the admin app and returns the preHandler that guards mutations. */
export async function createTokenCheck(app: FastifyInstance, options: AuthOptions): Promise<TokenCheck> {
  const token = resolveToken(options);
  const expected = token === undefined ? undefined : digest(token);
  await app.register(rateLimit, { global: false });
  const failures = app.createRateLimit({ max: options.failuresPerMinute, timeWindow: 60_000, keyGenerator: (request) => request.ip });

  return async function requireToken(request, reply) {
    if (expected === undefined) {
      sendAdminError(reply, 403, 'admin_token_not_configured', 'admin mutations are disabled until a token is configured: set GATEWAY_ADMIN_TOKEN (or admin.token / admin.tokenFile) and restart');
      return reply;
    }
    const seen = await failures(request, { increment: false });
    if (!seen.isAllowed && seen.remaining === 0) {
      reply.header('retry-after', seen.ttlInSeconds);
      sendAdminError(reply, 429, 'too_many_auth_failures', `too many failed admin logins from ${request.ip}; retry in ${seen.ttlInSeconds} s`);
      return reply;
    }
    const header = request.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return;

    const reason = given === undefined ? (header === undefined ? 'missing token' : 'not a Bearer token') : 'wrong token';
    await failures(request);
    options.audit.write({ event: 'auth-failure', actor: request.ip, reason, method: request.method, path: request.url.split('?')[0] });
    request.log.warn({ client: request.ip, method: request.method, path: request.url.split('?')[0], reason }, 'admin authentication failed');
    reply.header('www-authenticate', 'Bearer realm="gateway-admin"');
    sendAdminError(reply, 401, given === undefined ? 'missing_token' : 'invalid_token', `${reason}: send Authorization: Bearer <admin token>`);
    return reply;
  };
}
