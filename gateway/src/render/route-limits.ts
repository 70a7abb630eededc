// The routes' rate limits as both renderers write them: the same quota and window the gateway counts in
// (edge/rate-limit-policy.ts), the key, and the header lines on how a target's counting differs from the gateway's.
import type { RateLimitConfig, RouteConfig } from '../config-schema-routing.js';
import { ratePolicy } from '../edge/rate-limit-policy.js';
import type { DropIn } from './drop-in.js';

export interface RouteLimit {
  readonly route: RouteConfig;
  /** 1-based position in the route table, for names that must be letters, digits and "_". */
  readonly id: number;
  readonly rate: number;
  /** Requests let through at once: the gateway's quota (rateLimit.burst, or the rate rounded up). */
  readonly burst: number;
  /** The gateway's fixed window, burst / rate rounded up to a whole second. */
  readonly windowSeconds: number;
  /** client-ip, or header:NAME (a request without the header is counted under its client's address). */
  readonly key: RateLimitConfig['key'];
  readonly redis: boolean;
}

export function routeLimits(dropIn: DropIn): RouteLimit[] {
  return dropIn.routes.flatMap((route, index) => {
    const limit = route.rateLimit;
    if (limit === undefined) return [];
    const policy = ratePolicy(limit);
    return [{ route, id: index + 1, rate: limit.rate, burst: policy.quota, windowSeconds: policy.windowSeconds, key: limit.key, redis: limit.store === 'redis' }];
  });
}

/** True when the gateway keys on an identity its auth found (api-key, claim:NAME), which a drop-in cannot verify. */
export function keyedByIdentity(limit: RouteLimit): boolean {
  return limit.key === 'api-key' || limit.key.startsWith('claim:');
}

/** The header name of a header:NAME key, or undefined for client-ip (and for identities, counted by address). */
export function keyHeader(limit: RouteLimit): string | undefined {
  return limit.key.startsWith('header:') ? limit.key.slice('header:'.length) : undefined;
}

/** One line per limited route for a file header, then what neither target can do. */
export function limitSummaryLines(limits: readonly RouteLimit[]): string[] {
  if (limits.length === 0) return [];
  const lines = ['- Rate limits, 429 once a client has used its burst:'];
  lines.push(...limits.map((limit) => `  route ${limit.route.name}: ${limit.burst} at once, ${limit.rate}/s over time, per ${keyHeader(limit) ?? 'client address'}.`));
  const identities = limits.filter(keyedByIdentity);
  if (identities.length > 0) lines.push(`  Route ${identities.map((limit) => `${limit.route.name} (${limit.key})`).join(', ')}: this file cannot verify the identity, so it counts per client address.`);
  const shared = limits.filter((limit) => limit.redis).map((limit) => limit.route.name);
  lines.push(
    "  They count in this one process's memory: two instances each let the whole limit through.",
    ...(shared.length > 0 ? [`  Route ${shared.join(', ')} share${shared.length === 1 ? 's' : ''} one count in Redis among gateways (store: redis); this file cannot, nor its redisDown.`] : []),
    "  The client address is always the peer's: X-Forwarded-For from trustedProxies is never read for a limit.",
    '  A 429 carries no RateLimit-Policy or RateLimit header.',
  );
  return lines;
}
