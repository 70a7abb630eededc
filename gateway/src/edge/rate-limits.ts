// The rate limiters of a route table, built with it on start and on every reload (a reload starts local counts
// afresh; Redis counts carry on). Holds the gateway's one Redis connection across reloads, opened only when a
// route has store "redis" and closed when none has any more.
import type { GatewayConfig } from '../config.js';
import type { RouteConfig } from '../config-schema-routing.js';
import { RATE_LIMIT_UNAVAILABLE } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { clientIpReader } from './client-ip.js';
import { LocalLimiter } from './local-limiter.js';
import { RouteLimiter, type Refusal } from './rate-limit-policy.js';
import { RedisLimiter, type OnRedisDown } from './redis-limiter.js';
import { RedisStore } from './redis-store.js';

const UNAVAILABLE: Refusal = { error: RATE_LIMIT_UNAVAILABLE, headers: {} };

export class RateLimits {
  private redis: RedisStore | undefined;

  constructor(
    private readonly log: Logger,
    private readonly onRedisDown: OnRedisDown,
  ) {}

  /** Route name -> limiter for the routes with rateLimit; undefined when none has one (the proxy checks nothing). */
  build(routes: readonly RouteConfig[], config: Pick<GatewayConfig, 'trustedProxies' | 'redis'>): ReadonlyMap<string, RouteLimiter> | undefined {
    const limited = routes.filter((route) => route.rateLimit !== undefined);
    this.keepRedis(limited.some((route) => route.rateLimit!.store === 'redis') ? config.redis : undefined);
    if (limited.length === 0) return undefined;
    const clientIp = clientIpReader(config.trustedProxies);
    const limiters = new Map<string, RouteLimiter>();
    for (const route of limited) {
      const limit = route.rateLimit!;
      const store = (policy: RouteLimiter['policy']) =>
        limit.store === 'redis' ? new RedisLimiter(route.name, policy, this.redis!, limit.redisDown, this.onRedisDown) : new LocalLimiter(route.name, policy);
      limiters.set(route.name, new RouteLimiter(route.name, limit, clientIp, store, () => UNAVAILABLE));
    }
    return limiters;
  }

  close(): void {
    this.keepRedis(undefined);
  }

  private keepRedis(settings: GatewayConfig['redis'] | undefined): void {
    if (this.redis !== undefined && (settings === undefined || !this.redis.sameAs(settings))) {
      this.redis.close();
      this.redis = undefined;
    }
    if (settings !== undefined && this.redis === undefined) this.redis = new RedisStore(settings, this.log);
  }
}
