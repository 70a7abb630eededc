// A route's count shared by every gateway on one Redis: rate-limiter-flexible's RateLimiterRedis (an atomic
// INCR with expiry per key and window). While Redis cannot answer, failOpen counts in this process instead
// (the library's insuranceLimiter: the same quota, per gateway), failClosed rejects and the route answers 503.
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { allowed, refused } from './local-limiter.js';
import type { Count, CountStore, RateLimitPolicy } from './rate-limit-policy.js';
import type { RedisStore } from './redis-store.js';

export type RedisDown = 'failOpen' | 'failClosed';

/** Each request counted here while Redis is down: the outage is logged on the first and metered on every one. */
export type OnRedisDown = (route: string, behaviour: RedisDown) => void;

export class RedisLimiter implements CountStore {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly route: string,
    policy: RateLimitPolicy,
    private readonly store: RedisStore,
    private readonly behaviour: RedisDown,
    private readonly onDown: OnRedisDown,
  ) {
    const options = { keyPrefix: `${store.settings.keyPrefix}:${route}`, points: policy.quota, duration: policy.windowSeconds };
    this.limiter = new RateLimiterRedis({
      ...options,
      storeClient: store.client,
      insuranceLimiter: behaviour === 'failOpen' ? new FallbackLimiter(options, () => this.fellBack(new Error('redis did not answer'))) : undefined,
    });
  }

  consume(key: string): Promise<Count> {
    const counted = this.limiter.consume(key).then(allowed, refused);
    if (this.behaviour === 'failOpen') return counted;
    return counted.catch((error: unknown) => {
      this.fellBack(error);
      throw error;
    });
  }

  private fellBack(error: unknown): void {
    this.store.outage(this.route, this.behaviour, error);
    this.onDown(this.route, this.behaviour);
  }
}

/** The insurance limiter: RateLimiterMemory that reports each request it counts (only Redis failures reach it). */
class FallbackLimiter extends RateLimiterMemory {
  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>): ReturnType<RateLimiterMemory['consume']> {
    this.onUse();
    return super.consume(...args);
  }
}
