// A route's rate limit as the gateway enforces it: the quota and window derived from rate and burst, the key a
// request is counted under, and the check the proxy runs between route resolution and forwarding. The count
// itself lives in a rate-limiter-flexible limiter, in process (local-limiter.ts) or in Redis (redis-limiter.ts).
import type { IncomingMessage } from 'node:http';
import type { RateLimitConfig } from '../config-schema-routing.js';
import { RATE_LIMITED, type GatewayError } from '../errors.js';
import { headerValue } from '../routes/route-match.js';
import type { Identity } from './auth/identity.js';
import type { ClientIp } from './client-ip.js';
import { policyHeader, refusalHeaders, type RateLimitHeaders } from './rate-limit-headers.js';

/**
 * `quota` requests per window of `windowSeconds`. rate-limiter-flexible counts fixed windows, and Redis keys
 * expire in whole seconds, so the bucket of `burst` tokens refilled at `rate` per second becomes a window as
 * long as the refill (burst / rate, rounded up to a second) holding `burst` requests: the same burst, and
 * never more than `rate` over time.
 */
export interface RateLimitPolicy {
  quota: number;
  windowSeconds: number;
}

export function ratePolicy(config: Pick<RateLimitConfig, 'rate' | 'burst'>): RateLimitPolicy {
  const burst = config.burst ?? Math.ceil(config.rate);
  return { quota: burst, windowSeconds: Math.max(1, Math.ceil(burst / config.rate)) };
}

/** What a limiter answers for one key: allowed or not, what is left and when the window refills. */
export interface Count {
  allowed: boolean;
  remaining: number;
  resetMs: number;
}

/** The store a route counts in: local memory, or Redis with its fallback. Rejects only when failing closed. */
export interface CountStore {
  consume(key: string): Promise<Count>;
}

export interface Refusal {
  error: GatewayError;
  headers: RateLimitHeaders;
}

export class RouteLimiter {
  readonly policy: RateLimitPolicy;
  private readonly policyValue: string;
  private readonly keyOf: (req: IncomingMessage, identity: Identity | undefined) => string;
  private readonly store: CountStore;

  constructor(
    readonly route: string,
    config: RateLimitConfig,
    clientIp: ClientIp,
    store: (policy: RateLimitPolicy) => CountStore,
    /** What answers when the store cannot count (redis with failClosed). */
    private readonly unavailable: (error: unknown) => Refusal,
  ) {
    this.policy = ratePolicy(config);
    this.policyValue = policyHeader(route, this.policy);
    this.keyOf = requestKeyOf(config.key, clientIp);
    this.store = store(this.policy);
  }

  /**
   * Resolves undefined when the request may go on, else with the answer to send instead. Never rejects.
   * identity: what the route's auth found, for keys api-key and claim:NAME.
   */
  admit(req: IncomingMessage, identity?: Identity): Promise<Refusal | undefined> {
    return this.store.consume(this.keyOf(req, identity)).then(
      (count) => (count.allowed ? undefined : { error: RATE_LIMITED, headers: refusalHeaders(this.route, this.policyValue, count.remaining, count.resetMs) }),
      this.unavailable,
    );
  }
}

/**
 * client-ip, header:NAME, api-key (the key's name) or claim:NAME (a JWT claim); a request without the header or
 * claim is counted under its client's address instead.
 */
function requestKeyOf(spec: string, clientIp: ClientIp): (req: IncomingMessage, identity: Identity | undefined) => string {
  if (spec === 'client-ip') return (req) => `ip:${clientIp(req)}`;
  if (spec === 'api-key') return (req, identity) => (identity?.keyName === undefined ? `ip:${clientIp(req)}` : `k:${identity.keyName}`);
  if (spec.startsWith('claim:')) {
    const claim = spec.slice('claim:'.length);
    return (req, identity) => {
      const value = identity?.claims?.[claim];
      return typeof value === 'string' || typeof value === 'number' ? `c:${value}` : `ip:${clientIp(req)}`;
    };
  }
  const name = spec.slice('header:'.length).toLowerCase();
  return (req) => {
    const value = headerValue(req, name);
    return value === undefined ? `ip:${clientIp(req)}` : `h:${value}`;
  };
}
